"""A stop condition (after AWS FIS): abort a run early when too many requests fail.

    stop_conditions:
      - failed_ratio_above: 0.5    # abort when the share of failed requests is "> 0.5"
        window: 10s                # ... over the requests that started in the last 10 s
        min_requests: 10           # ... and only once the window holds at least 10
        statuses: [failed]         # which statuses count as "failed" (default [failed])

The runner watches it with `scenarios.runner.stop_conditions.StopConditionMonitor`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator

from chaos.duration import PositiveDuration
from vocabulary import RatioBound, Status, parse_ratio_bound

__all__ = ["StopCondition"]


class StopCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    failed_ratio_above: float
    window: PositiveDuration = 10.0
    min_requests: PositiveInt = 10
    statuses: list[Status] = Field(default_factory=lambda: [Status.FAILED], min_length=1)

    @field_validator("failed_ratio_above")
    @classmethod
    def _below_one(cls, value: float) -> float:
        if parse_ratio_bound(value, implied=">").threshold >= 1:
            raise ValueError(f"expected a ratio below 1 (no share is above 1), got {value!r}")
        return value

    @property
    def stops_when(self) -> RatioBound:
        """The bound on the counted statuses' share that stops the run."""
        return parse_ratio_bound(self.failed_ratio_above, implied=">")
