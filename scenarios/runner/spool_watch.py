"""`spool_bytes_within_bound`: how far the system's audit spool folder grows during the
method, against the bound it declares.

The folder is the one Gauntlet names in `GAUNTLET_SPOOL_DIR` (the world knows it for a
system Gauntlet starts). It is sampled every `SAMPLE_S` while the method runs, so the
peak of an outage's backlog is seen before the database comes back and replay drains it.
Every regular file under the folder counts, whatever the system calls it, except the
filler a disk-full fault puts there. A system given by URL spools where Gauntlet cannot
look: the expectation is not judged.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from chaos.spool_filesystem import FILLER_NAME
from scenarios.spec.expectations import SpoolBound, SpoolBytesWithinBound
from scenarios.spec.model import Scenario
from slo import Check, NotJudged, Verdict

from .expectation_checks import check_name

SAMPLE_S = 0.1
KIB = 1024
T = TypeVar("T")


def folder_bytes(directory: Path) -> int:
    """The bytes of every regular file under `directory` (the fault's filler left out)."""
    total = 0
    for root, _, names in os.walk(directory):
        for name in names:
            if name == FILLER_NAME:
                continue
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:  # renamed or deleted meanwhile: a replay at work
                continue
    return total


def judge_spool_growth(bound: SpoolBound, growth: int) -> tuple[Verdict, str]:
    """The verdict on a folder that grew by at most `growth` bytes, and why."""
    ceiling = bound.max_bytes + bound.slack_bytes
    said = (
        f"peak {growth / KIB:.0f} KiB above the start (bound {bound.max_bytes / KIB:g} KiB "
        f"+ {bound.slack_bytes / KIB:g} KiB of slack)"
    )
    if growth > ceiling:
        return Verdict.FAIL, f"{said}: past the bound"
    if growth < bound.max_bytes - bound.slack_bytes:
        return Verdict.INCONCLUSIVE, f"{said}: never near its bound, which went untested"
    return Verdict.PASS, said


@dataclass
class SpoolWatch:
    """Started before the method, sampling while it runs, read after it."""

    scenario: Scenario
    bounds: list[SpoolBytesWithinBound]
    directory: Path | None = None
    held_at_start: int = 0
    peak: int = 0
    not_judged: list[NotJudged] = field(default_factory=list)

    @classmethod
    def start(cls, scenario: Scenario, world: Any) -> SpoolWatch:
        bounds = [e for e in scenario.expectations if isinstance(e, SpoolBytesWithinBound)]
        watch = cls(scenario, bounds)
        if not bounds:
            return watch
        directory = getattr(world, "audit_spool_dir", None)
        if directory is None or not Path(directory).is_dir():
            why = "Gauntlet does not know where the system spools (a system given by URL)"
            watch.not_judged = [NotJudged(scenario.name, check_name(e), why) for e in bounds]
            return watch
        watch.directory = Path(directory)
        watch.held_at_start = watch.peak = folder_bytes(watch.directory)
        return watch

    async def during(self, work: Awaitable[T]) -> T:
        """`work`'s result, the folder sampled until it is over."""
        if self.directory is None:
            return await work
        over = asyncio.Event()
        async with asyncio.TaskGroup() as group:
            group.create_task(self._sample_until(over))
            try:
                return await work
            finally:
                over.set()

    def checks(self) -> list[Check]:
        """One check per bound (none where the folder is unknown)."""
        if self.directory is None:
            return []
        growth = max(0, self.peak - self.held_at_start)
        return [self._check(bound, growth) for bound in self.bounds]

    async def _sample_until(self, over: asyncio.Event) -> None:
        assert self.directory is not None
        while True:
            # A few stat calls on a local folder: cheaper than a hop to a thread.
            self.peak = max(self.peak, folder_bytes(self.directory))
            if over.is_set():
                return
            try:
                async with asyncio.timeout(SAMPLE_S):
                    await over.wait()
            except TimeoutError:
                pass

    def _check(self, expectation: SpoolBytesWithinBound, growth: int) -> Check:
        bound = expectation.spool_bytes_within_bound
        verdict, detail = judge_spool_growth(bound, growth)
        written = f"{bound.max_bytes:.0f} + {bound.slack_bytes:.0f} bytes"
        return Check(
            self.scenario.name,
            check_name(expectation),
            verdict,
            f"{detail}; {self.held_at_start / KIB:.0f} KiB held at the start",
            expected=f"spool_bytes_within_bound: {written}",
        )
