"""The first screen of report.html: the verdict, what failed, one row per scenario.

What failed comes first, each finding with its scenario, phase, observed against expected,
and a link to the chart that shows it (a scenario's check zooms the timeline to that
scenario's stretch of the run). Scenarios that held, and every objective and check, are
folded away in `<details>`; the charts follow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from vocabulary import STATUSES

from .formatting import show_interval, show_note, show_value
from .report_findings import TIMELINE_CHART, Finding, ScenarioRow, findings, scenarios_held
from .results import Check, Evaluation
from .verdict import overall_verdict

# Clicking a finding's chart link zooms the timeline to its scenario (the x axis is seconds
# since the first request; the four panels share it).
ZOOM_SCRIPT = """<script>
document.querySelectorAll('a[data-from]').forEach(link => link.addEventListener('click', () => {
  const chart = document.getElementById('chart-timeline');
  if (window.Plotly && chart) {
    Plotly.relayout(chart, {'xaxis.range': [+link.dataset.from, +link.dataset.to]});
  }
}));
</script>"""
_MARK = {"fail": "FAIL", "inconclusive": "UNDECIDED", "regressed": "REGRESSED"}


def lead_sections(
    evaluation: Evaluation,
    checks: Sequence[Check],
    title: str,
    *,
    interrupted: bool,
    scenarios: Sequence[ScenarioRow],
    offsets: Mapping[str, tuple[float, float]],
) -> list[str]:
    """`offsets`: per scenario, its stretch in seconds from the first request."""
    sections = [_heading(evaluation, checks, title, interrupted, scenarios)]
    found = findings(evaluation, checks)
    if found:
        sections.append(_findings_table(found, offsets))
    if scenarios:
        sections.append(_scenarios(scenarios))
    sections.append(
        f"<details><summary>All {len(evaluation.results)} objectives and {len(checks)} checks"
        "</summary>"
        + _objectives_table(evaluation)
        + _checks_table(evaluation, checks)
        + "</details>"
    )
    return sections


def _heading(
    evaluation: Evaluation,
    checks: Sequence[Check],
    title: str,
    interrupted: bool,
    scenarios: Sequence[ScenarioRow],
) -> str:
    verdict = overall_verdict(evaluation, checks)
    spec = evaluation.spec
    stopped = " <small>(interrupted: partial results)</small>" if interrupted else ""
    objectives = [evaluation.gate_outcome(result) for result in evaluation.results]
    held = [f"{objectives.count('pass')}/{len(objectives)} objectives"]
    if checks:
        held.append(f"{sum(check.passed for check in checks)}/{len(checks)} checks")
    if judged := scenarios_held(scenarios):
        held.insert(0, judged)
    requests = ", ".join(f"{name} {count}" for name, count in evaluation.status_totals.items())
    source = f" from {escape(spec.judged_by)}" if spec.judged_by else ""
    return (
        f'<h1>{escape(title)}: <span class="{verdict}">{verdict.upper()}</span>{stopped}</h1>'
        f'<p class="lede">Held: <b>{", ".join(held)}</b>. Requests: {escape(requests or "none")}.'
        f"</p><p>Judged by SLO <b>{escape(spec.name)}</b>{source}: {evaluation.matched} of "
        f"{evaluation.observations} observations, {spec.confidence:.0%} confidence, "
        f"inconclusive counts as <b>{escape(spec.on_inconclusive)}</b>.</p>"
    )


def _findings_table(found: Sequence[Finding], offsets: Mapping[str, tuple[float, float]]) -> str:
    failed = any(finding.outcome == "fail" for finding in found)
    rows = "".join(
        f'<tr><td class="{f.outcome}">{_MARK.get(f.verdict, f.verdict)}</td>'
        f"<td>{escape(f.scenario)}</td><td><b>{escape(f.name)}</b></td>"
        f"<td>{escape(f.phase or 'all')}</td><td>{escape(f.observed)}</td>"
        f"<td>{escape(f.expected or '-')}</td><td>{_chart_link(f, offsets)}</td></tr>"
        for f in found
    )
    header = _header("", "scenario", "check", "phase", "observed", "expected", "chart")
    heading = "What failed" if failed else "What is not decided"
    return f'<h2 id="what-failed">{heading}</h2><table class="findings">{header}{rows}</table>'


def _chart_link(finding: Finding, offsets: Mapping[str, tuple[float, float]]) -> str:
    if not finding.chart:
        return "-"
    span = offsets.get(finding.scenario) if finding.chart == TIMELINE_CHART else None
    zoom = f' data-from="{span[0]:.1f}" data-to="{span[1]:.1f}"' if span else ""
    label = "timeline" if finding.chart == TIMELINE_CHART else "objectives"
    return f'<a href="#{finding.chart}"{zoom}>{label}</a>'


def _scenarios(rows: Sequence[ScenarioRow]) -> str:
    """Scenarios not held in a table of their own; those that held folded away."""
    header = _header("", "scenario", "checks", "requests", *STATUSES, "wall")
    attention = [row for row in rows if row.outcome in ("fail", "warn")]
    held = [row for row in rows if row.outcome not in ("fail", "warn")]
    parts = ["<h2>Scenarios</h2>"]
    if attention:
        parts.append(f"<table>{header}{''.join(_scenario_row(r) for r in attention)}</table>")
    if held:
        summary = f"{len(held)} scenario{'s' if len(held) != 1 else ''}"
        summary += " held" if all(row.outcome == "pass" for row in held) else ""
        table = "".join(_scenario_row(row) for row in held)
        parts.append(
            f"<details><summary>{summary}</summary><table>{header}{table}</table></details>"
        )
    return "".join(parts)


def _scenario_row(row: ScenarioRow) -> str:
    mark = {"pass": "held", "warn": "undecided", "fail": "FAILED", "none": "-"}[row.outcome]
    wall = f"{row.seconds:.0f} s" if row.seconds is not None else "-"
    counts = "".join(f"<td>{row.statuses.get(status, 0)}</td>" for status in STATUSES)
    return (
        f'<tr><td class="{row.outcome}">{mark}</td><td>{escape(row.name)}</td>'
        f"<td>{row.held}/{row.checks}</td><td>{row.requests}</td>{counts}<td>{wall}</td></tr>"
    )


def _objectives_table(evaluation: Evaluation) -> str:
    results = sorted(evaluation.results, key=lambda r: evaluation.gate_outcome(r) == "pass")
    rows = "".join(
        f'<tr><td class="{evaluation.gate_outcome(r)}">{escape(r.verdict)}</td>'
        f"<td>{escape(r.label)}</td><td>{escape(r.target)}</td>"
        f"<td>{show_value(r.observed, r.unit)}</td><td>{show_interval(r)}</td>"
        f"<td>{r.samples}</td><td>{escape(show_note(r))}</td></tr>"
        for r in results
    )
    rows += "".join(
        f"<tr><td>no data</td><td>{escape(name)}</td><td>-</td><td>-</td><td>-</td><td>0</td>"
        f"<td>{escape(why)}</td></tr>"
        for name, why in evaluation.no_data.items()
    )
    header = _header("verdict", "objective", "target", "observed", "interval", "n", "note")
    return f"<h3>Objectives</h3><table>{header}{rows}</table>"


def _checks_table(evaluation: Evaluation, checks: Sequence[Check]) -> str:
    if not checks:
        return ""
    ordered = sorted(checks, key=lambda c: evaluation.check_outcome(c) == "pass")
    rows = "".join(
        f'<tr><td class="{evaluation.check_outcome(c)}">{c.verdict}</td>'
        f"<td>{escape(c.group)}: {escape(c.name)}</td><td>{escape(c.detail)}</td></tr>"
        for c in ordered
    )
    return f"<h3>Checks</h3><table>{_header('verdict', 'check', 'detail')}{rows}</table>"


def _header(*names: str) -> str:
    return "<tr>" + "".join(f"<th>{name}</th>" for name in names) + "</tr>"
