"""Watching stop conditions (`scenarios.spec.stop_condition`) while a method runs.

`StopConditionMonitor` is a pure state machine: the runner feeds it `(offset_s, status)`
as answers arrive and asks `tripped(now_s)`; time is passed in, never read, so tests run
on made-up clocks. An aborted run still rolls back and is reported as aborted.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chaos.duration import format_duration
from scenarios.spec.stop_condition import StopCondition

__all__ = ["StopConditionMonitor", "StopDecision", "evaluate_stop_conditions"]


@dataclass(frozen=True)
class StopDecision:
    """Why a run must stop: which condition tripped, on what evidence."""

    condition_index: int
    condition: StopCondition
    failed: int
    total: int

    @property
    def ratio(self) -> float:
        return self.failed / self.total

    def __str__(self) -> str:
        counted = "/".join(self.condition.statuses)
        return (
            f"stop condition {self.condition_index} tripped: {counted} ratio {self.ratio:.2f} "
            f"{self.condition.stops_when} over the last "
            f"{format_duration(self.condition.window)} ({self.failed} of {self.total} requests)"
        )


def evaluate_stop_conditions(
    conditions: Sequence[StopCondition], samples: Iterable[tuple[float, str]], now_s: float
) -> StopDecision | None:
    """The first condition tripped by `samples` (offset, status) as of `now_s`, if any.

    A sample belongs to a condition's window when `now_s - window < offset <= now_s`.
    """
    recent = list(samples)
    for index, condition in enumerate(conditions):
        in_window = [
            status for offset, status in recent if now_s - condition.window < offset <= now_s
        ]
        if len(in_window) < condition.min_requests:
            continue
        failed = sum(status in condition.statuses for status in in_window)
        if condition.stops_when.holds(failed / len(in_window)):
            return StopDecision(index, condition, failed, len(in_window))
    return None


class StopConditionMonitor:
    """Keeps only the samples the widest window can still see; evaluates on demand."""

    def __init__(self, conditions: Sequence[StopCondition]) -> None:
        self.conditions = tuple(conditions)
        self._horizon_s = max((condition.window for condition in self.conditions), default=0.0)
        self._samples: deque[tuple[float, str]] = deque()

    def record(self, offset_s: float, status: str) -> None:
        """Add one answered request; offsets should arrive roughly in order."""
        self._samples.append((offset_s, status))

    def tripped(self, now_s: float) -> StopDecision | None:
        while self._samples and self._samples[0][0] <= now_s - self._horizon_s:
            self._samples.popleft()
        if not self.conditions:
            return None
        return evaluate_stop_conditions(self.conditions, self._samples, now_s)
