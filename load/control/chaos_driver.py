"""Applies a timed chaos schedule from the harness while Locust runs.

Each scheduled fault is one task: sleep until its start, hold it with `chaos.faults.applied`
(injection and rollback in a thread, since Toxiproxy and Postgres calls block), roll back.
Cancelling the task (hard timeout, Ctrl-C) at any point still rolls back: a cancel during
the injection waits for it to finish and then undoes it, and a rollback is never abandoned.
The *actual* apply and rollback times are recorded, so observations are labelled by what
really happened, not by what was planned.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from chaos.faults import FaultTarget, applied
from chaos.schedule import FaultSpan
from vocabulary import FaultWindow


@dataclass
class AppliedFault:
    span: FaultSpan
    started: float | None = None  # epoch seconds, once injected
    ended: float | None = None  # epoch seconds, once rolled back
    error: str | None = None

    @property
    def window(self) -> FaultWindow | None:
        """When the fault was really active (epoch seconds); None if it was never injected."""
        if self.started is None:
            return None
        end = self.ended if self.ended is not None else math.inf
        return FaultWindow(self.started, end, self.span.fault.kind)


@dataclass
class ChaosLog:
    applied: list[AppliedFault] = field(default_factory=list)

    def windows(self) -> list[FaultWindow]:
        return [a.window for a in self.applied if a.window is not None]


async def run_schedule(
    spans: Sequence[FaultSpan], target: FaultTarget, t0: float, log: ChaosLog, run_end_s: float
) -> None:
    """Apply every span relative to `t0` (epoch). Open-ended spans end at `run_end_s`."""
    async with asyncio.TaskGroup() as group:
        for span in spans:
            entry = AppliedFault(span)
            log.applied.append(entry)
            group.create_task(_hold(entry, target, t0, run_end_s))


async def _hold(entry: AppliedFault, target: FaultTarget, t0: float, run_end_s: float) -> None:
    span = entry.span
    await asyncio.sleep(max(0.0, t0 + span.window.start - time.time()))
    end_s = run_end_s if span.window.is_open else span.window.end
    try:
        async with applied(span.fault, target):
            entry.started = time.time()
            await asyncio.sleep(max(0.0, t0 + end_s - time.time()))
    except Exception as exc:  # a failed injection or rollback is reported, not fatal to the run
        entry.error = str(exc)  # `FaultInjectionError` / `FaultRollbackError` name kind and step
        if _being_cancelled():  # a rollback error must not swallow the cancel that caused it
            raise asyncio.CancelledError from exc
    finally:
        if entry.started is not None:
            entry.ended = time.time()


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
