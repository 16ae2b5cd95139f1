"""Adaptive phases: the method's schedule as stretches, each ended as soon as it is decided.

A fault schedule cuts a time-bound method into stretches at every start and end of a
fault. Each stretch has one phase (`baseline` before any fault, `fault` while one holds,
`recovery` after) and its scheduled length is a budget, not a sentence::

    schedule  0s ── baseline ── 6s ══ fault ══ 14s ── recovery ── 20s
    run       0s ─ baseline ─ 2.4s ═ fault ═ 6.1s ─ recovery ─ 7.3s   (each decided early)

A stretch ends when its budget is spent, or, after a short minimum, as soon as every
expectation that concerns its phase is decided at the scenario's confidence. That is
optional stopping, and it is valid here because the statistical expectations are judged
with confidence sequences (see `expectation_checks`). Later stretches move up by what an
earlier one saved; their order and their faults stay as written.

`plan_stretches` is pure; `conduct` is the short driver that walks the plan.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from chaos.schedule import TimedFault
from vocabulary import FaultWindow, Phase, phase_at

# Every stretch runs at least this long: a fault long enough to be really felt, the
# healthy stretches long enough to hold requests that started and ended in them.
MIN_STRETCH_S = {Phase.FAULT: 1.0, Phase.BASELINE: 0.5, Phase.BURST: 0.5, Phase.RECOVERY: 0.5}
TICK_S = 0.1  # how often a stretch asks whether it is decided


@dataclass(frozen=True)
class Stretch:
    start: float  # scheduled offset, seconds
    end: float  # scheduled offset; inf: until the workload's request count is reached
    phase: Phase
    begins: tuple[int, ...] = ()  # faults (schedule indices) injected as the stretch opens
    ends: tuple[int, ...] = ()  # faults rolled back as it closes

    @property
    def budget_s(self) -> float:
        return self.end - self.start


def plan_stretches(
    faults: Sequence[TimedFault], method_s: float | None, *, burst: bool = False
) -> list[Stretch]:
    """The stretches of a method of `method_s` seconds (None: bounded by a request count).
    A `burst` workload's stretches without a fault are `burst`, not `baseline`."""
    until = method_s if method_s is not None else math.inf
    ends = [t.start + t.duration if t.duration is not None else until for t in faults]
    cuts = sorted({0.0, until, *(t.start for t in faults), *ends} - {math.inf})
    if math.isinf(until) or not cuts or cuts[-1] != until:
        cuts.append(until)
    windows = [FaultWindow(t.start, end) for t, end in zip(faults, ends, strict=True)]
    stretches = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        phase = phase_at(start, windows)  # a stretch holds one phase from start to end
        if burst and phase is not Phase.FAULT:
            phase = Phase.BURST
        stretches.append(
            Stretch(
                start,
                end,
                phase,
                begins=tuple(i for i, t in enumerate(faults) if t.start == start),
                ends=tuple(i for i in range(len(faults)) if ends[i] == end),
            )
        )
    return stretches


async def conduct(
    stretches: Sequence[Stretch],
    *,
    begin: Callable[[int], Awaitable[None]],
    end: Callable[[int], Awaitable[None]],
    decided: Callable[[Phase, bool], bool],
    done: asyncio.Event,
    mark: Callable[[str], None] = lambda step: None,
) -> list[tuple[Phase, float]]:
    """Walk the plan: inject, wait until decided or out of budget, roll back. Sets `done`
    at the end; stops early (rolling back what it injected) once `done` is set by others.
    Returns each stretch's phase and how long it actually ran."""
    ran = []
    try:
        for index, stretch in enumerate(stretches):
            for fault in stretch.begins:
                if not done.is_set():
                    await begin(fault)
            if stretch.begins:
                mark("inject")
            last = index == len(stretches) - 1
            ran.append((stretch.phase, await _hold(stretch, last, decided=decided, done=done)))
            mark(stretch.phase.value)
            for fault in stretch.ends:
                await end(fault)
            if stretch.ends:
                mark("roll back")
    finally:
        done.set()
    return ran


async def _hold(
    stretch: Stretch, last: bool, *, decided: Callable[[Phase, bool], bool], done: asyncio.Event
) -> float:
    """Let `stretch` run until its budget is spent, it is decided, or `done` is set;
    returns how many seconds it ran."""
    opened = time.monotonic()
    # a request-count workload is its own measure: it is not cut short
    bounded = math.isfinite(stretch.budget_s)
    while not done.is_set():
        elapsed = time.monotonic() - opened
        if elapsed >= stretch.budget_s:
            break
        if bounded and elapsed >= MIN_STRETCH_S[stretch.phase] and decided(stretch.phase, last):
            break
        await _wait_or(done, TICK_S)
    return time.monotonic() - opened


async def _wait_or(event: asyncio.Event, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass
