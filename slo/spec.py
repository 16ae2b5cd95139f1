"""The SLO file model: what a gate checks. Validated with pydantic; unknown keys are errors.

```yaml
name: chaos-core
confidence: 0.95          # of every interval
min_samples: 30           # below this an objective is never `pass`
on_inconclusive: fail     # or warn
on_regression: fail       # a significant regression against --baseline
filters: {source: scenario}
objectives:
  - {name: partial, ratio: partial, max: 0.05}
  - {name: answered, ratio: answered, min: 0.999}
  - {name: p99, latency: p99, max_ms: 800, per: intent}
  - {name: ops-db errors, ratio: tool_error, tool: direct_query, max: 0.02}
  - {name: failed per 30 s, ratio: failed, max: 0.05, window_s: 30}
  - {name: fault vs calm, ratio: failed, max: 0.2, filters: {phase: fault},
     compare_with_phase: baseline}
  - {name: recovers, recovers_within_s: 10}
```
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from vocabulary import (
    Comparison,
    NestedFieldError,
    Phase,
    RatioBound,
    Status,
    parse_ratio_bound,
)

# One member per status, then the ratios that are not a single status.
RatioKind = StrEnum(  # type: ignore[misc]
    "RatioKind",
    {
        **{status.name: status.value for status in Status},
        "ANSWERED": "answered",  # success + partial + degraded
        "FALLBACK": "fallback",  # the request used at least one fallback
        "TOOL_ERROR": "tool_error",  # the named tool failed (any error code, or `error_code`)
        "STATUS_IN": "status_in",  # the status is one of `statuses`
    },
)
"""What a ratio objective counts."""


class GroupBy(StrEnum):
    INTENT = "intent"
    TENANT = "tenant"
    SCENARIO = "scenario"
    PHASE = "phase"


class Filters(BaseModel):
    """Every given field must match; a list matches any of its values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: list[str] | None = None
    phase: list[Phase] | None = None
    tenant: list[str] | None = None
    intent: list[str] | None = None
    source: list[str] | None = None

    @field_validator("scenario", "phase", "tenant", "intent", "source", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @property
    def is_empty(self) -> bool:
        return all(
            v is None for v in (self.scenario, self.phase, self.tenant, self.intent, self.source)
        )


_IMPLIED: dict[str, Comparison] = {"max": "<=", "min": ">="}
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")


class Objective(BaseModel):
    """One objective: exactly one of `ratio`, `latency`, `recovers_within_s`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    filters: Filters = Filters()
    per: GroupBy | None = None
    # ratio objectives
    ratio: RatioKind | None = None
    # the bound, in this file's syntax: `max: 0.05` is "<= 0.05", `min: 0.999` is ">= 0.999"
    max: float | None = None
    min: float | None = None
    tool: str | None = None
    error_code: str | None = None
    statuses: list[Status] | None = None
    window_s: float | None = Field(default=None, gt=0)
    # fraction of the sliding windows that must meet the bound
    windows_required: float = Field(default=1.0, gt=0, le=1)
    # OpenSLO budgeting over non-overlapping slices of `slice_s` from the run's first
    # observation: `timeslices` calls a slice good when its ratio meets the bound and needs
    # `good_slices` of the slices good; `ratio_timeslices` holds the mean of the slices'
    # ratios to the bound
    budgeting: Literal["occurrences", "timeslices", "ratio_timeslices"] = "occurrences"
    slice_s: float | None = Field(default=None, gt=0)
    good_slices: float | None = Field(default=None, gt=0, le=1)
    # compare with another phase of the same run, e.g. fault vs baseline: a significantly
    # worse ratio counts as a regression (gated by `on_regression`)
    compare_with_phase: Phase | None = None
    # latency objectives
    latency: str | None = None
    max_ms: float | None = Field(default=None, gt=0)
    # time-to-recover objectives
    recovers_within_s: float | None = Field(default=None, gt=0)
    ratio_tolerance: float = Field(default=0.02, ge=0, le=1)
    latency_tolerance: float = Field(default=1.5, ge=1)
    stable_for_s: float = Field(default=5.0, gt=0)

    _bound: RatioBound | None = PrivateAttr(default=None)

    @field_validator("max", "min")
    @classmethod
    def _a_fraction(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None:
            parse_ratio_bound(value, implied=_IMPLIED[info.field_name])
        return value

    @field_validator("latency")
    @classmethod
    def _percentile(cls, value: str | None) -> str | None:
        if value is not None and not _PERCENTILE.match(value):
            raise ValueError("expected a percentile such as p50, p95, p99 or p99.9")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Objective:
        kinds = [
            k for k in ("ratio", "latency", "recovers_within_s") if getattr(self, k) is not None
        ]
        if len(kinds) != 1:
            raise ValueError("expected exactly one of 'ratio', 'latency', 'recovers_within_s'")
        if self.ratio is not None:
            if (self.max is None) == (self.min is None):
                raise ValueError("expected exactly one of 'max' or 'min' in a ratio objective")
            if self.ratio is RatioKind.TOOL_ERROR and not self.tool:
                raise ValueError("expected 'tool' with ratio 'tool_error'")
            if (self.ratio is RatioKind.STATUS_IN) != bool(self.statuses):
                raise ValueError("expected 'statuses' with ratio 'status_in' (and only there)")
            if self.max_ms is not None:
                raise ValueError(
                    "expected 'max' or 'min' in a ratio objective ('max_ms' is for latency)"
                )
        if self.compare_with_phase is not None and self.ratio is None:
            raise ValueError("expected 'compare_with_phase' only in a ratio objective")
        if self.latency is not None:
            if self.max_ms is None:
                raise ValueError("expected 'max_ms' in a latency objective")
            if self.max is not None or self.min is not None or self.window_s is not None:
                raise ValueError(
                    "expected only 'max_ms' in a latency objective (no max/min/window_s)"
                )
        if self.recovers_within_s is not None and (self.max is not None or self.min is not None):
            raise ValueError("expected no 'max'/'min' in a time-to-recover objective")
        _check_budgeting(self)
        if (self.tool or self.error_code) and self.ratio is not RatioKind.TOOL_ERROR:
            raise ValueError("expected 'tool' and 'error_code' only with ratio 'tool_error'")
        if self.ratio is not None:
            key = "max" if self.max is not None else "min"
            self._bound = parse_ratio_bound(getattr(self, key), implied=_IMPLIED[key])
        return self

    @property
    def kind(self) -> Literal["ratio", "latency", "recovery"]:
        if self.ratio is not None:
            return "ratio"
        return "latency" if self.latency is not None else "recovery"

    @property
    def quantile(self) -> float:
        match = _PERCENTILE.match(self.latency or "")
        assert match, "only latency objectives have a quantile"
        return float(match.group(1)) / 100.0

    @property
    def bound(self) -> RatioBound:
        """The ratio objective's bound (`max`/`min` of the file, parsed once)."""
        assert self._bound is not None, "only ratio objectives have a bound"
        return self._bound

    @property
    def at_most(self) -> bool:
        return self.bound.at_most

    @property
    def target(self) -> float:
        return self.bound.threshold


def _check_budgeting(objective: Objective) -> None:
    sliced = objective.budgeting != "occurrences"
    if sliced and (objective.ratio is None or objective.slice_s is None):
        raise ValueError(f"expected 'slice_s' in a ratio objective with '{objective.budgeting}'")
    if sliced and objective.window_s is not None:
        raise ValueError("expected either time slices ('slice_s') or sliding 'window_s'")
    if not sliced and objective.slice_s is not None:
        raise ValueError("expected 'slice_s' only with budgeting timeslices or ratio_timeslices")
    if (objective.budgeting == "timeslices") != (objective.good_slices is not None):
        raise ValueError("expected 'good_slices' with budgeting 'timeslices' (and only there)")


class SloSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "slo"
    description: str = ""
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    min_samples: int = Field(default=30, ge=1)
    on_inconclusive: Literal["fail", "warn"] = "fail"
    on_regression: Literal["fail", "warn"] = "fail"
    filters: Filters = Filters()
    objectives: list[Objective] = Field(min_length=1)
    # parts of imported documents the gate reads but does not evaluate (e.g. alert policies)
    not_evaluated: list[str] = []
    # which files this spec was read from and why they judge the run (set by the loader)
    _judged_by: str = PrivateAttr(default="")

    @property
    def judged_by(self) -> str:
        """E.g. "slo/examples/chaos-core.yaml (the core suite's default: no --slo given)";
        "" for a spec built in code."""
        return self._judged_by

    @field_validator("objectives")
    @classmethod
    def _unique_names(cls, objectives: list[Objective]) -> list[Objective]:
        seen: set[str] = set()
        for index, objective in enumerate(objectives):
            if objective.name in seen:
                raise NestedFieldError(
                    f"expected unique objective names, '{objective.name}' appears twice",
                    loc=(index, "name"),
                )
            seen.add(objective.name)
        return objectives
