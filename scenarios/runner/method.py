"""The method of an experiment: the workload sent while the faults are applied on time.

    conductor (stretch by stretch: inject, wait until decided, roll back)
      ∥ one hold task per fault (applied as a context manager that always rolls back)
      ∥ `concurrency` workers (paced sends, each answer judged and recorded at once)

Each request is recorded with the phase it lived through (`vocabulary.phase_during`):
one that was in flight when a fault landed met the fault, so `baseline` holds only
healthy steady traffic. A workload marked `burst` records its method as `burst`, and the
steady state checked after it as `recovery`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from chaos.faults import TenantAttack, applied
from chaos.stop_watch import StopWatch
from chaos.world import World
from scenarios.spec.model import Scenario
from vocabulary import FaultWindow, Phase, phase_during

from .conductor import conduct, plan_stretches
from .exchange import Outcome, exchange
from .expectation_checks import Decided, undecided
from .traffic import PlannedRequest, TrafficMix


class Phases:
    """The phase a request lived through, from the windows of the faults actually applied."""

    def __init__(self) -> None:
        self.windows: list[FaultWindow] = []  # epoch seconds; open while the fault holds
        self.attacks: list[TenantAttack] = []  # timed attacks being applied
        self.in_burst = False
        self.burst_over = False

    def during(self, start: float, end: float) -> Phase:
        if self.in_burst:
            return Phase.BURST
        phase = phase_during(start, end, self.windows)
        return Phase.RECOVERY if phase is Phase.BASELINE and self.burst_over else phase


@dataclass
class MethodTally:
    windows: list[FaultWindow] = field(default_factory=list)  # closed fault windows
    stretches: list[tuple[Phase, float]] = field(default_factory=list)  # phase, seconds run
    interrupted: int = 0  # requests abandoned in flight by a hard interrupt
    steps: list[tuple[str, float]] = field(default_factory=list)  # step, seconds it took
    _last: float = field(default_factory=time.monotonic)

    def mark(self, step: str) -> None:
        """Record how long `step` took, up to now (where a scenario's wall time goes)."""
        now = time.monotonic()
        self.steps.append((step, now - self._last))
        self._last = now


async def send(
    client: httpx.AsyncClient,
    request: PlannedRequest,
    scenario: Scenario,
    world: World,
    phases: Phases,
    tally: MethodTally,
) -> Outcome:
    """One exchange; a hard interrupt abandons it as `interrupted`, never as `failed`."""
    try:
        return await exchange(
            client, request, scenario=scenario.name, phase_of=phases.during, tenants=world.tenants
        )
    except asyncio.CancelledError:
        tally.interrupted += 1
        raise


async def run_method(
    scenario: Scenario,
    traffic: TrafficMix,
    world: World,
    client: httpx.AsyncClient,
    phases: Phases,
    keep: Callable[[Outcome], None],
    outcomes: Sequence[Outcome],
    tally: MethodTally,
    stop: asyncio.Event,
    verdicts: Decided,
) -> str | None:
    """Run the method; returns why it was aborted by a stop condition, if it was."""
    workload = scenario.workload
    monitor = StopWatch(scenario.stop_conditions)
    done = asyncio.Event()
    aborted: list[str] = []
    started = time.monotonic()
    sent = 0
    next_at = 0.0  # offset of the next paced send
    timed = scenario.faults
    go = [asyncio.Event() for _ in timed]
    injected = [asyncio.Event() for _ in timed]
    release = [asyncio.Event() for _ in timed]
    released = [asyncio.Event() for _ in timed]

    def next_slot() -> float | None:
        """Seconds to wait before the next request may go, or None when the method is over.

        Paced sends never catch up: slots missed while the service was slow are skipped,
        so the workload never exceeds its rate (a catch-up burst would be a fault of its own).
        """
        nonlocal sent, next_at
        if stop.is_set():
            done.set()
        if done.is_set() or (workload.requests is not None and sent >= workload.requests):
            return None
        sent += 1
        if not workload.rate:
            return 0.0
        elapsed = time.monotonic() - started
        slot = max(next_at, elapsed)
        next_at = slot + 1.0 / workload.rate
        return slot - elapsed

    async def worker() -> None:
        while (wait := next_slot()) is not None:
            await asyncio.sleep(wait)
            request = traffic.draw([*scenario.attacks, *phases.attacks])
            outcome = await send(client, request, scenario, world, phases, tally)
            keep(outcome)
            now = time.monotonic() - started
            monitor.add([(outcome.observation.latency_ms, outcome.observation.status)], now)
            if (decision := monitor.tripped(now)) is not None and not aborted:
                aborted.append(str(decision))
                done.set()

    async def workers() -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(workload.concurrency):
                group.create_task(worker())
        done.set()  # a request-count workload ends the method when its count is sent

    async def hold(index: int) -> None:
        fault = timed[index].fault
        await _first(go[index], done)
        if done.is_set():
            released[index].set()
            return
        # The fault phase opens when injection starts (stopping a server takes a moment,
        # and requests sent meanwhile already meet the fault) and closes after rollback.
        window = FaultWindow(time.time(), label=fault.kind)
        phases.windows.append(window)
        attack = fault if isinstance(fault, TenantAttack) else None
        try:
            async with applied(fault, world):
                if attack is not None:
                    phases.attacks.append(attack)
                injected[index].set()
                await _first(release[index], done)
                if attack is not None:
                    phases.attacks.remove(attack)
        finally:
            closed = FaultWindow(window.start, time.time(), window.label)
            phases.windows[phases.windows.index(window)] = closed
            tally.windows.append(closed)
            released[index].set()

    async def begin(index: int) -> None:
        go[index].set()
        await _first(injected[index], released[index])

    async def end(index: int) -> None:
        release[index].set()
        await released[index].wait()

    def decided(phase: Phase, last: bool) -> bool:
        if stop.is_set():
            return True
        return not undecided(scenario, outcomes, phase, last=last, decided=verdicts)

    stretches = plan_stretches(timed, workload.duration, burst=workload.burst)
    phases.in_burst = workload.burst
    try:
        async with asyncio.TaskGroup() as group:
            for index in range(len(timed)):
                group.create_task(hold(index))
            group.create_task(workers())
            tally.stretches = await conduct(
                stretches, begin=begin, end=end, decided=decided, done=done, mark=tally.mark
            )
    finally:
        phases.in_burst = False
        phases.burst_over = workload.burst
    return aborted[0] if aborted else None


async def _first(*events: asyncio.Event) -> None:
    """Wait until any of `events` is set."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
