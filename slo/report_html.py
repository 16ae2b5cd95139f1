"""report.html: one self-contained page (inline CSS and SVG; no script, no network)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from vocabulary import FaultWindow

from .formatting import show_interval, show_note, show_value
from .results import Check, Evaluation
from .svg_charts import latency_chart, objectives_chart, status_mix_chart
from .verdict import overall_verdict

_CSS = """
body{font-family:sans-serif;margin:24px;color:#212121;max-width:1100px}
h1 .pass{color:#2e7d32}h1 .warn{color:#f9a825}h1 .fail{color:#c62828}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top}
td.pass{color:#2e7d32}td.warn{color:#f9a825}td.fail{color:#c62828;font-weight:bold}
figure{margin:16px 0}figcaption{font-weight:bold;margin-bottom:4px}
"""


def render_html(
    evaluation: Evaluation,
    checks: Sequence[Check],
    fault_windows: Sequence[FaultWindow],
    title: str,
) -> str:
    verdict = overall_verdict(evaluation, checks)
    outcomes = {id(r): evaluation.gate_outcome(r) for r in evaluation.results}
    rows = "".join(
        f'<tr><td class="{outcomes[id(r)]}">{escape(r.verdict)}</td><td>{escape(r.label)}</td><td>{escape(r.target)}</td>'
        f"<td>{show_value(r.observed, r.unit)}</td><td>{show_interval(r)}</td><td>{r.samples}</td>"
        f"<td>{escape(show_note(r))}</td></tr>"
        for r in evaluation.results
    )
    check_rows = "".join(
        f'<tr><td class="{"pass" if c.passed else "fail"}">{"pass" if c.passed else "fail"}</td>'
        f"<td>{escape(c.group)}: {escape(c.name)}</td><td>{escape(c.detail)}</td></tr>"
        for c in checks
    )
    checks_table = (
        f"<h2>Checks</h2><table><tr><th>verdict</th><th>check</th><th>detail</th></tr>{check_rows}</table>"
        if checks
        else ""
    )
    series = evaluation.timeseries
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{escape(title)}: <span class="{verdict}">{verdict.upper()}</span></h1>
<p>SLO <b>{escape(evaluation.spec.name)}</b>: {evaluation.matched} of {evaluation.observations} observations,
{evaluation.spec.confidence:.0%} confidence, inconclusive counts as <b>{evaluation.spec.on_inconclusive}</b>;
buckets of {series.bucket_s:g} s.</p>
{status_mix_chart(series, fault_windows)}
{latency_chart(series, fault_windows)}
{objectives_chart(evaluation.results, outcomes)}
<h2>Objectives</h2>
<table><tr><th>verdict</th><th>objective</th><th>target</th><th>observed</th><th>interval</th><th>n</th><th>note</th></tr>{rows}</table>
{checks_table}
</body></html>
"""
