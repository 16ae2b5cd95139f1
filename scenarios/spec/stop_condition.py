"""A stop condition (after AWS FIS): abort a run early when too many requests fail.

    stop_conditions:
      - failed_ratio_above: 0.5    # abort when the share of failed requests exceeds this
        window: 10s                # ... over the requests that started in the last 10 s
        min_requests: 10           # ... and only once the window holds at least 10
        statuses: [failed]         # which statuses count as "failed" (default [failed])

The runner watches it with `scenarios.runner.stop_conditions.StopConditionMonitor`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from chaos.duration import PositiveDuration
from vocabulary import Status

__all__ = ["StopCondition"]


class StopCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    failed_ratio_above: float = Field(ge=0, lt=1)
    window: PositiveDuration = 10.0
    min_requests: PositiveInt = 10
    statuses: list[Status] = Field(default_factory=lambda: [Status.FAILED], min_length=1)
