"""report.json: the machine-readable report (versioned: `schema_version`), also the input of
a later run's `--baseline`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from vocabulary import FaultWindow

from .results import Check, Evaluation, JudgedBy
from .verdict import Verdict, overall_verdict

SCHEMA_VERSION = 1  # the major version: bumped on a change an old reader cannot take
# The minor version: bumped when fields are added (old readers ignore them). 1: each check's
# phase and expectation, the SLO file's origin (`slo.judged_by`), the objectives with no data
# (`no_data`), the run's workload (`workload`, what --baseline compares), which promises
# judged the run (`promises`) and what they left unjudged (`not_judged`). 2: the healthy
# phase per scenario and intent (`healthy`) and, with --baseline, its comparison
# (`healthy_comparison`).
SCHEMA_MINOR = 2


def report_document(
    evaluation: Evaluation,
    checks: Sequence[Check],
    fault_windows: Sequence[FaultWindow],
    title: str,
    *,
    interrupted: bool = False,
    run_facts: Mapping[str, Any] | None = None,
    judged_by: JudgedBy | None = None,
) -> dict[str, Any]:
    """The document; its JSON Schema is `report_schema.report_json_schema()`."""
    series = evaluation.timeseries
    return {
        "schema_version": SCHEMA_VERSION,
        "schema_minor": SCHEMA_MINOR,
        "title": title,
        "verdict": overall_verdict(evaluation, checks),
        "interrupted": interrupted,
        "slo": {
            "name": evaluation.spec.name,
            "confidence": evaluation.spec.confidence,
            "min_samples": evaluation.spec.min_samples,
            "on_inconclusive": evaluation.spec.on_inconclusive,
            "on_regression": evaluation.spec.on_regression,
            "judged_by": evaluation.spec.judged_by,
        },
        "observations": evaluation.observations,
        "matched": evaluation.matched,
        "started": evaluation.started,
        "ended": evaluation.ended,
        "status_totals": evaluation.status_totals,
        "baseline": evaluation.baseline_source or None,
        "objectives": [
            _finite(asdict(result) | {"outcome": evaluation.gate_outcome(result)})
            for result in evaluation.results
        ],
        "workload": {"scenarios": list(evaluation.scenarios)},
        "healthy": [cell.to_json() for cell in evaluation.healthy],
        "healthy_comparison": _healthy_comparison(evaluation),
        "no_data": [{"name": name, "reason": why} for name, why in evaluation.no_data.items()],
        "checks": [_check_entry(check) for check in checks],
        "fault_windows": [_finite(asdict(window)) for window in fault_windows],
        "timeseries": _finite(asdict(series)),
    } | _further_facts(run_facts, judged_by)


def _further_facts(
    run_facts: Mapping[str, Any] | None, judged_by: JudgedBy | None
) -> dict[str, Any]:
    """The run's own facts, and which promises judged it and what they left unjudged."""
    facts = dict(run_facts or {})
    if judged_by is not None:
        facts["promises"] = judged_by.source
        facts["not_judged"] = [asdict(entry) for entry in judged_by.not_judged]
    return facts


def _healthy_comparison(evaluation: Evaluation) -> dict[str, Any] | None:
    comparison = evaluation.healthy_comparison
    if comparison is None:
        return None
    return {
        "baseline": comparison.source,
        "regressed": comparison.regressed,
        "outcome": evaluation.healthy_outcome(),
        "measures": [
            {
                "intent": verdict.intent,
                "measure": verdict.measure,
                "scenarios": verdict.scenarios,
                "shift": verdict.shift,
                "p_value": verdict.p_value,
                "regressed": verdict.regressed,
                "summary": verdict.summary,
            }
            for verdict in comparison.verdicts
        ],
        "lines": comparison.lines(),
    }


def _check_entry(check: Check) -> dict[str, Any]:
    """A check as schema version 1 writes it: the verdict as two flags (1.1 adds its phase and
    what was expected)."""
    return {
        "group": check.group,
        "name": check.name,
        "passed": check.verdict is Verdict.PASS,
        "detail": check.detail,
        "inconclusive": check.verdict is Verdict.INCONCLUSIVE,
        "phase": check.phase,
        "expected": check.expected,
    }


def _finite(value: Any) -> Any:
    """JSON has no infinity or NaN: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
