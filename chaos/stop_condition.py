"""A stop condition (after AWS FIS and k6's `abortOnFail`): end a run early, with its report.

A scenario and a load profile both take a list of them:

    stop_conditions:
      - failed_ratio_above: 0.5   # stop when the share of failed requests is "> 0.5"
        window: 10s               # ... of those answered in the last 10 s
        min_requests: 10          # ... once the window holds at least 10
        statuses: [failed]        # which statuses count as "failed" (default [failed])
      - latency_above: 2s         # stop when the recent p95 is above 2 s
        quantile: 0.95

`chaos.stop_watch.StopWatch` watches them while a run goes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator, model_validator

from vocabulary import RatioBound, Status, parse_ratio_bound

from .duration import PositiveDuration, format_duration

__all__ = ["StopCondition"]


class StopCondition(BaseModel):
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
    def _one_kind(self) -> StopCondition:
        if (self.failed_ratio_above is None) == (self.latency_above is None):
            raise ValueError("expected exactly one of failed_ratio_above or latency_above")
        return self

    @property
    def stops_when(self) -> RatioBound:
        """The bound on the counted statuses' share that stops the run (a ratio condition)."""
        return parse_ratio_bound(self.failed_ratio_above, implied=">")

    def breached(self, answers: Sequence[tuple[float, str]]) -> str | None:
        """Why `answers` (latency ms, status) of one window breach this condition, if they do."""
        if len(answers) < self.min_requests:
            return None
        if self.latency_above is not None:
            return self._latency_breach(sorted(latency for latency, _ in answers))
        failed = sum(status in self.statuses for _, status in answers)
        if not self.stops_when.holds(failed / len(answers)):
            return None
        return (
            f"{'/'.join(self.statuses)} ratio {failed / len(answers):.2f} {self.stops_when} "
            f"({failed} of {len(answers)} requests)"
        )

    def _latency_breach(self, latencies: list[float]) -> str | None:
        # the nearest-rank percentile, as the SLO evaluation reads one
        rank = min(len(latencies), max(1, math.ceil(self.quantile * len(latencies))))
        value = latencies[rank - 1]
        if value <= (self.latency_above or 0.0) * 1000:
            return None
        return (
            f"p{self.quantile * 100:g} latency {value:.0f} ms above "
            f"{format_duration(self.latency_above or 0.0)} ({len(latencies)} requests)"
        )
