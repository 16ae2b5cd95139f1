"""The published JSON Schema of report.json (`gauntlet schema report` prints it).

The models below describe the document `report_json.report_document` writes; they are the
schema's source, and the tests validate every report they write against it. Numbers that
JSON cannot hold (infinity, NaN) are written as null, hence the optional floats.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SloSummary(_Strict):
    name: str
    confidence: float = Field(gt=0, lt=1)
    min_samples: int = Field(ge=0)
    on_inconclusive: Literal["pass", "warn", "fail"]
    on_regression: Literal["pass", "warn", "fail"]
    judged_by: str = Field(
        default="",
        description="the SLO files and why they judged the run, e.g. "
        '"slo/examples/chaos-core.yaml (the core suite\'s default: no --slo given)" (1.1)',
    )


class ObjectiveEntry(_Strict):
    name: str
    kind: str = Field(description="ratio | latency | recovery")
    group: str = Field(description='"" or the group, e.g. "intent=search"')
    verdict: Literal["pass", "fail", "inconclusive"]
    outcome: Literal["pass", "warn", "fail"] = Field(
        description="what the verdict means for the gate under the SLO file's policies"
    )
    target: str = Field(description='human text, e.g. "<= 5%"')
    threshold: float | None
    unit: str = Field(description='ratio | ms | s ("" when nothing matched)')
    observed: float | None
    lower: float | None = Field(description="lower end of the confidence interval")
    upper: float | None = Field(description="upper end of the confidence interval")
    samples: int = Field(ge=0)
    hits: int = Field(ge=0, description="events counted by a ratio objective")
    quantile: float | None
    more_samples: int | None = Field(
        description="further samples likely to settle an inconclusive verdict"
    )
    detail: str
    budget_consumed: float | None = Field(description="share of the error budget used")
    burn_rates: list[tuple[float, float | None]] = Field(
        description="(bucket start in epoch seconds, burn rate)"
    )
    regression: bool
    regression_detail: str


class CheckEntry(_Strict):
    group: str
    name: str
    passed: bool
    detail: str
    inconclusive: bool = Field(
        default=False, description="not passed, not breached either: too little evidence"
    )
    phase: str = Field(
        default="", description='the phase it judged ("" = the whole scenario) (1.1)'
    )
    expected: str = Field(
        default="", description="what had to hold, as the scenario file says (1.1)"
    )


class NoDataEntry(_Strict):
    name: str = Field(description="an objective with nothing to judge in this run")
    reason: str = Field(description='e.g. "the run had no burst phase"')


class WorkloadEntry(_Strict):
    scenarios: list[str] = Field(
        description="the scenarios (a load run: its profile) the judged observations name; "
        "--baseline refuses a report of another workload"
    )


class HealthyEntry(_Strict):
    scenario: str
    intent: str
    requests: int = Field(ge=0, description="healthy-phase requests (phase baseline, no attack)")
    statuses: dict[str, int] = Field(description="those requests by status")
    p50_ms: float
    p95_ms: float
    sketch_ms: list[float] = Field(
        min_length=21, max_length=21, description="latency at 0 %, 5 %, ..., 100 % (linear)"
    )


class HealthyMeasureEntry(_Strict):
    intent: str
    measure: Literal["p50", "p95", "not success"]
    scenarios: int = Field(ge=0, description="scenarios compared")
    shift: float | None = Field(
        description="latency: the median over scenarios of now / before; status: share of "
        "requests not success, now minus before"
    )
    p_value: float
    regressed: bool
    summary: str


class HealthyComparisonEntry(_Strict):
    baseline: str = Field(description="the report compared against")
    regressed: bool
    outcome: Literal["pass", "warn", "fail"] = Field(description="under on_regression")
    measures: list[HealthyMeasureEntry]
    lines: list[str] = Field(
        description="one per scenario that regressed: scenario, intent, measure, before -> "
        "now, shift"
    )


class NotJudgedEntry(_Strict):
    group: str
    name: str
    reason: str = Field(description="what the system does not declare, e.g. 'no breaker'")


class FaultWindowEntry(_Strict):
    start: float = Field(description="epoch seconds")
    end: float | None = Field(description="epoch seconds; null if the fault was still active")
    label: str


class TimeSeriesEntry(_Strict):
    start: float = Field(description="first bucket's start, epoch seconds")
    bucket_s: float = Field(gt=0)
    status_counts: list[dict[str, int]]
    p50_ms: list[float | None]
    p95_ms: list[float | None]
    p99_ms: list[float | None]


class ReportDocument(_Strict):
    """report.json: a run's verdict, objectives, checks and plot series."""

    schema_version: Literal[1] = Field(
        description="report_json.SCHEMA_VERSION; bumped on an incompatible change"
    )
    schema_minor: int = Field(
        default=0,
        ge=0,
        description="report_json.SCHEMA_MINOR; bumped when fields are added (absent: 0; a "
        "reader of this version ignores what it does not know): 1 added checks' `phase` and "
        "`expected`, `slo.judged_by`, `no_data`, `workload`, `promises` and `not_judged`; 2 "
        "added `healthy` and `healthy_comparison`",
    )
    title: str
    verdict: Literal["pass", "warn", "inconclusive", "fail"]
    interrupted: bool = Field(description="the run was stopped early; results are partial")
    interrupted_requests: int | None = Field(
        default=None,
        ge=0,
        description="requests abandoned in flight by a second Ctrl-C (never recorded as failed)",
    )
    timeline: dict[str, list[tuple[str, float]]] | None = Field(
        default=None,
        description="per scenario, each step (heal, steady state, inject, a phase's stretch, "
        "roll back, ...) and the seconds it took",
    )
    slo: SloSummary
    observations: int = Field(ge=0, description="observations read")
    matched: int = Field(ge=0, description="observations that passed the SLO file's filters")
    started: float | None = Field(description="first request, epoch seconds")
    ended: float | None = Field(description="last request, epoch seconds")
    status_totals: dict[str, int]
    baseline: str | None = Field(description="the report compared against, if any")
    objectives: list[ObjectiveEntry]
    no_data: list[NoDataEntry] = Field(
        default=[],
        description="objectives left out of the verdict: they judge a phase the run never had "
        "(1.1)",
    )
    workload: WorkloadEntry | None = Field(default=None, description="what the run ran (1.1)")
    healthy: list[HealthyEntry] | None = Field(
        default=None,
        description="per scenario and intent, the healthy phase: what a later --baseline "
        "compares (1.2)",
    )
    healthy_comparison: HealthyComparisonEntry | None = Field(
        default=None, description="with --baseline: the healthy phase compared (1.2)"
    )
    checks: list[CheckEntry]
    promises: str | None = Field(
        default=None,
        description="which promises judged the run: a promises file, or 'none declared: "
        "universal promises only' (since minor 1)",
    )
    not_judged: list[NotJudgedEntry] | None = Field(
        default=None,
        description="expectations not judged because the system declares no such knob: "
        "never a pass, never a fail (since minor 1)",
    )
    fault_windows: list[FaultWindowEntry]
    timeseries: TimeSeriesEntry


def report_json_schema() -> dict[str, Any]:
    schema = ReportDocument.model_json_schema()
    return {"$schema": SCHEMA_DIALECT, "$id": "gauntlet/report.schema.json"} | schema


def report_json_schema_text() -> str:
    return json.dumps(report_json_schema(), indent=2) + "\n"
