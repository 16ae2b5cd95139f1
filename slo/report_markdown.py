"""report.md: a pull-request comment that leads with the verdict and what failed.

    ## verdict line
    ### What failed            (only when something failed or stayed undecided)
    | scenario | check | phase | observed | expected |
    - held: counts, requests by status
    - objectives, one line
    - which SLO judged the run
    <details> one line per scenario, failing ones first </details>

A run where everything held stays well under 40 lines whatever its number of checks: the
checks are counted, and the scenarios are folded away. Every value is written for a reader,
never as a Python repr; a cell escapes what would break a Markdown table (`|`, line breaks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .formatting import show_value
from .report_findings import Finding, ScenarioRow, findings, scenarios_held
from .results import Check, Evaluation, JudgedBy
from .verdict import overall_verdict

_ICON = {"pass": "✅", "warn": "⚠️", "inconclusive": "❔", "fail": "❌"}
_FINDING_ICON = {"fail": "❌", "inconclusive": "❔", "regressed": "⚠️"}


def render_markdown(
    evaluation: Evaluation,
    checks: Sequence[Check],
    title: str,
    *,
    interrupted: bool = False,
    scenarios: Sequence[ScenarioRow] = (),
    judged_by: JudgedBy | None = None,
) -> str:
    verdict = overall_verdict(evaluation, checks)
    lines = [f"## {_ICON[verdict]} {_cell(title)}: **{verdict.upper()}**", ""]
    if interrupted:
        lines += ["> **Interrupted**: the run was stopped early; these results are partial.", ""]
    found = findings(evaluation, checks)
    if found:
        lines += _findings_table(found) + [""]
    lines += [
        f"- **Held:** {_held(evaluation, checks, scenarios)}; "
        f"requests by status: {show_counts(evaluation.status_totals)}.",
        f"- **Objectives:** {_objectives_line(evaluation)}",
        f"- **Judged by** {_judged_by(evaluation)}",
    ]
    if judged_by is not None:
        lines.append(f"- **Promises:** {_cell(judged_by.source)}")
    for part in evaluation.spec.not_evaluated:
        lines.append(f"- Not evaluated: {_cell(part)}")
    if scenarios:
        summary = f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}"
        for outcome, word in (("fail", "failed"), ("warn", "undecided")):
            if count := sum(row.outcome == outcome for row in scenarios):
                summary += f", {count} {word}"
        lines += ["", f"<details><summary>{summary}</summary>", ""]
        lines += [_scenario_line(row) for row in scenarios]
        lines += ["", "</details>"]
    if judged_by is not None and judged_by.not_judged:
        count = len(judged_by.not_judged)
        lines += ["", f"<details><summary>{count} not judged (never a pass, never a fail)"]
        lines[-1] += "</summary>"
        lines += [""] + [
            f"- {_cell(n.group)}: {_cell(n.name)}: {_cell(n.reason)}" for n in judged_by.not_judged
        ]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _findings_table(found: Sequence[Finding]) -> list[str]:
    failed = sum(finding.outcome == "fail" for finding in found)
    heading = "What failed" if failed else "What is not decided"
    lines = [
        f"### {heading}",
        "",
        "| | scenario | check | phase | observed | expected |",
        "|---|---|---|---|---|---|",
    ]
    for finding in found:
        icon = _FINDING_ICON.get(finding.verdict, "⚠️")
        cells = (finding.scenario, finding.name, finding.phase or "all")
        cells += (finding.observed, finding.expected or "-")
        lines.append(f"| {icon} | " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _held(evaluation: Evaluation, checks: Sequence[Check], scenarios: Sequence[ScenarioRow]) -> str:
    objectives = [evaluation.gate_outcome(result) for result in evaluation.results]
    parts = []
    if held := scenarios_held(scenarios):
        parts.append(held)
    parts.append(f"{objectives.count('pass')}/{len(objectives)} objectives")
    if checks:
        parts.append(f"{sum(check.passed for check in checks)}/{len(checks)} checks")
    return ", ".join(parts)


def _objectives_line(evaluation: Evaluation) -> str:
    judged = [
        f"{_ICON[evaluation.gate_outcome(r)]} {_cell(r.label)} "
        f"{show_value(r.observed, r.unit)} ({_cell(r.target) or 'no target'})"
        for r in evaluation.results
    ]
    unjudged = [f"➖ {_cell(name)}: no data ({why})" for name, why in evaluation.no_data.items()]
    return " · ".join(judged + unjudged)


def _judged_by(evaluation: Evaluation) -> str:
    spec = evaluation.spec
    source = f" from {_cell(spec.judged_by)}" if spec.judged_by else ""
    return (
        f"SLO `{spec.name}`{source}, {spec.confidence:.0%} confidence, "
        f"inconclusive → {spec.on_inconclusive}; {evaluation.matched} of "
        f"{evaluation.observations} observations."
    )


def _scenario_line(row: ScenarioRow) -> str:
    wall = f", {row.seconds:.0f} s" if row.seconds is not None else ""
    checks = f"{row.held}/{row.checks} checks, " if row.checks else ""
    return (
        f"- {_ICON.get(row.outcome, '▫️')} **{_cell(row.name)}**: {checks}{row.requests} requests"
        f" ({show_counts(row.statuses)}){wall}"
    )


def show_counts(counts: Mapping[str, int]) -> str:
    """`{"success": 156, "partial": 44}` as "success 156, partial 44" (largest first)."""
    if not counts:
        return "none"
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} {count}" for name, count in ordered)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
