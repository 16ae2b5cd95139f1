"""Stop conditions of a load run (after k6's `abortOnFail`): end it early, with its report.

In a load profile:

    stop_conditions:
      - failed_ratio_above: 0.5   # stop when more than half of the recent requests failed
        window: 10s               # ... of those answered in the last 10 s
        min_requests: 20          # ... once the window holds at least 20
      - latency_above: 2s         # stop when the recent p95 is above 2 s
        quantile: 0.95

`StopWatch` is pure: the runner feeds it answers as they arrive and asks `tripped(now)`;
time is passed in, so tests run on a made-up clock.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator, model_validator

from chaos.duration import PositiveDuration, format_duration
from vocabulary import RatioBound, Status, parse_ratio_bound

__all__ = ["LoadStopCondition", "StopWatch", "Tripped"]


class LoadStopCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    failed_ratio_above: float | None = None
    statuses: list[Status] = Field(default_factory=lambda: [Status.FAILED], min_length=1)
    latency_above: PositiveDuration | None = None
    quantile: float = Field(default=0.95, gt=0, lt=1)
    window: PositiveDuration = 10.0
    min_requests: PositiveInt = 10

    @field_validator("failed_ratio_above")
    @classmethod
    def _below_one(cls, value: float | None) -> float | None:
        if value is not None and parse_ratio_bound(value, implied=">").threshold >= 1:
            raise ValueError(f"expected a ratio below 1 (no share is above 1), got {value!r}")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> LoadStopCondition:
        if (self.failed_ratio_above is None) == (self.latency_above is None):
            raise ValueError("expected exactly one of failed_ratio_above or latency_above")
        return self

    @property
    def stops_when(self) -> RatioBound:
        return parse_ratio_bound(self.failed_ratio_above, implied=">")

    def breached(self, answers: Sequence[tuple[float, str]]) -> str | None:
        """Why `answers` (latency ms, status) of one window breach this condition, if they do."""
        if len(answers) < self.min_requests:
            return None
        if self.latency_above is not None:
            latencies = sorted(latency for latency, _ in answers)
            rank = min(len(latencies), math.ceil(self.quantile * len(latencies)))
            value = latencies[rank - 1]
            if value <= self.latency_above * 1000:
                return None
            return (
                f"p{self.quantile * 100:g} latency {value:.0f} ms above "
                f"{format_duration(self.latency_above)}"
            )
        failed = sum(status in self.statuses for _, status in answers)
        if not self.stops_when.holds(failed / len(answers)):
            return None
        return (
            f"{'/'.join(self.statuses)} ratio {failed / len(answers):.2f} {self.stops_when} "
            f"({failed} of {len(answers)} requests)"
        )


@dataclass(frozen=True)
class Tripped:
    index: int
    reason: str

    def __str__(self) -> str:
        return f"stop condition {self.index} tripped: {self.reason}"


class StopWatch:
    """Keeps the answers the widest window can still see; evaluates every condition on demand."""

    def __init__(self, conditions: Sequence[LoadStopCondition]) -> None:
        self.conditions = tuple(conditions)
        self._horizon_s = max((c.window for c in self.conditions), default=0.0)
        self._answers: deque[tuple[float, float, str]] = deque()  # (arrived s, latency, status)

    def add(self, answers: Iterable[tuple[float, str]], now_s: float) -> None:
        if self.conditions:
            self._answers.extend((now_s, latency, status) for latency, status in answers)

    def tripped(self, now_s: float) -> Tripped | None:
        while self._answers and self._answers[0][0] <= now_s - self._horizon_s:
            self._answers.popleft()
        for index, condition in enumerate(self.conditions):
            window = [(lat, st) for at, lat, st in self._answers if at > now_s - condition.window]
            reason = condition.breached(window)
            if reason is not None:
                window = format_duration(condition.window)
                return Tripped(index, f"{reason} over the last {window}")
        return None
