"""What a report leads with: what failed (or stayed undecided), then one row per scenario.

Pure: an evaluation, its checks and the requests counted per scenario become plain rows;
report.md, report.html and the terminal each lay them out their own way. A finding names
where to look: its scenario, its phase, what was observed against what was expected, and
the report.html chart that shows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .formatting import show_interval, show_value
from .results import Check, Evaluation, ObjectiveResult

TIMELINE_CHART = "chart-timeline"
WHOLE_RUN = "whole run"
_ORDER = {"fail": 0, "warn": 1, "pass": 2, "none": 3}


@dataclass(frozen=True)
class Finding:
    outcome: str  # what it means for the gate: fail | warn
    verdict: str  # fail | inconclusive | pass (a regression)
    scenario: str  # the check's scenario, or the objective's population
    name: str  # the check or the objective, without its phase tag
    phase: str  # "" = every phase
    observed: str
    expected: str
    chart: str  # the id of the report.html chart that shows it


@dataclass(frozen=True)
class ScenarioRow:
    name: str
    outcome: str  # the worst of its checks: pass | warn | fail; none: it has no check
    held: int  # checks passed
    checks: int
    statuses: Mapping[str, int] = field(default_factory=dict)  # requests sent, by status
    seconds: float | None = None  # wall time, when the run knows it

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def findings(evaluation: Evaluation, checks: Sequence[Check]) -> list[Finding]:
    """Every objective and check that is not a plain pass: failures first, in run order."""
    found = [
        _objective_finding(evaluation, result, outcome)
        for result in evaluation.results
        if (outcome := evaluation.gate_outcome(result)) != "pass"
    ]
    found += [
        _check_finding(check, outcome)
        for check in checks
        if (outcome := evaluation.check_outcome(check)) != "pass"
    ]
    return sorted(found, key=lambda finding: _ORDER[finding.outcome])


def objective_chart(evaluation: Evaluation, result: ObjectiveResult) -> str:
    """The id of the objectives chart (one per unit) that plots `result` ("" if none does:
    an objective that matched nothing has no unit)."""
    panel = result.unit
    if panel not in ("ratio", "ms", "s"):
        return ""
    if panel == "ratio":
        at_least = {o.name for o in evaluation.spec.objectives if o.ratio and not o.at_most}
        panel = "ratio-at-least" if result.name in at_least else "ratio-at-most"
    return f"chart-objectives-{panel}"


def scenario_rows(
    evaluation: Evaluation,
    checks: Sequence[Check],
    statuses: Mapping[str, Mapping[str, int]],
    spans: Mapping[str, tuple[float, float]] | None = None,
) -> list[ScenarioRow]:
    """One row per scenario (checks' groups first, in run order, then scenarios that only
    sent requests), the failing ones first."""
    names = list(dict.fromkeys([check.group for check in checks] + list(statuses)))
    rows = []
    for name in names:
        own = [check for check in checks if check.group == name]
        outcomes = [evaluation.check_outcome(check) for check in own]
        span = (spans or {}).get(name)
        rows.append(
            ScenarioRow(
                name=name,
                outcome=min(outcomes, key=_ORDER.__getitem__, default="none"),
                held=sum(check.passed for check in own),
                checks=len(own),
                statuses=dict(statuses.get(name, {})),
                seconds=span[1] - span[0] if span else None,
            )
        )
    return sorted(rows, key=lambda row: _ORDER[row.outcome])


def scenarios_held(rows: Sequence[ScenarioRow]) -> str:
    """`24/26 scenarios`: those whose checks all held, of those that have checks ("" if
    none has: a gate over observation files judges objectives only)."""
    judged = [row for row in rows if row.outcome != "none"]
    if not judged:
        return ""
    held = sum(row.outcome == "pass" for row in judged)
    return f"{held}/{len(judged)} scenario{'s' if len(judged) != 1 else ''}"


def _objective_finding(evaluation: Evaluation, result: ObjectiveResult, outcome: str) -> Finding:
    objective = next(o for o in evaluation.spec.objectives if o.name == result.name)
    split, _, value = result.group.partition("=")
    scenario = value if split == "scenario" else ", ".join(objective.filters.scenario or ())
    phase = value if split == "phase" else ", ".join(objective.filters.phase or ())
    observed = f"{show_value(result.observed, result.unit)} of {result.samples}"
    if result.kind != "recovery" and result.observed is not None:
        observed += f", interval {show_interval(result)}"
    notes = [result.detail, result.regression_detail]
    if result.more_samples:
        notes.append(f"~{result.more_samples} more samples would likely settle it")
    observed = "; ".join([observed, *(note for note in notes if note)])
    return Finding(
        outcome=outcome,
        verdict="regressed" if result.regression and result.verdict == "pass" else result.verdict,
        scenario=scenario or WHOLE_RUN,
        name=result.label,
        phase=phase,
        observed=observed,
        expected=result.target,
        chart=objective_chart(evaluation, result),
    )


def _check_finding(check: Check, outcome: str) -> Finding:
    return Finding(
        outcome=outcome,
        verdict=check.verdict,
        scenario=check.group,
        name=check.name.removesuffix(f" [{check.phase}]") if check.phase else check.name,
        phase=check.phase,
        observed=check.detail,
        expected=check.expected,
        chart=TIMELINE_CHART,
    )
