"""Watching stop conditions (`chaos.stop_condition`) while a scenario's method or a load run goes.

`StopWatch` is a pure state machine: the runner feeds it answers (latency ms, status) as they
arrive and asks `tripped(now_s)`; time is passed in, never read, so tests run on made-up
clocks. A stopped run still rolls back its faults and writes its report.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .duration import format_duration
from .stop_condition import StopCondition

__all__ = ["StopDecision", "StopWatch"]


@dataclass(frozen=True)
class StopDecision:
    """Why a run must stop: which condition tripped, on what evidence."""

    index: int
    condition: StopCondition
    reason: str

    def __str__(self) -> str:
        window = format_duration(self.condition.window)
        return f"stop condition {self.index} tripped: {self.reason} over the last {window}"


class StopWatch:
    """Keeps only the answers the widest window can still see; evaluates every condition on
    demand. An answer belongs to a window when `now_s - window < arrived <= now_s`."""

    def __init__(self, conditions: Sequence[StopCondition]) -> None:
        self.conditions = tuple(conditions)
        self._horizon_s = max((condition.window for condition in self.conditions), default=0.0)
        self._answers: deque[tuple[float, float, str]] = deque()  # (arrived s, latency, status)

    def add(self, answers: Iterable[tuple[float, str]], now_s: float) -> None:
        """Answers (latency ms, status) that arrived at `now_s`, roughly in order of time."""
        if self.conditions:
            self._answers.extend((now_s, latency, status) for latency, status in answers)

    def tripped(self, now_s: float) -> StopDecision | None:
        """The first condition the recent answers breach as of `now_s`, if any."""
        while self._answers and self._answers[0][0] <= now_s - self._horizon_s:
            self._answers.popleft()
        for index, condition in enumerate(self.conditions):
            start = now_s - condition.window
            window = [(ms, status) for at, ms, status in self._answers if start < at <= now_s]
            reason = condition.breached(window)
            if reason is not None:
                return StopDecision(index, condition, reason)
        return None
