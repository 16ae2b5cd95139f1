"""report.html: one self-contained, interactive page, drawn with Plotly.

Why Plotly rather than Vega-Lite: the `plotly` Python package ships plotly.js inside it, so
the page inlines the library from an installed package and opens offline with nothing else
to fetch or vendor; hover values, zoom, pan and legend toggling come without any extra
specification; shared time axes across subplots let one zoom drive every timeline panel.
The price is size: plotly.js is about 4.6 MB, inlined once per page (the later charts of a
page reuse it).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go
import polars as pl

from vocabulary import FaultWindow

from .breakdown import breakdown
from .formatting import show_interval, show_note, show_value
from .report_breakdown import breakdown_figure
from .report_objectives import objectives_figures
from .report_style import OUTCOME_COLOURS, PLOT_CONFIG
from .report_timeline import timeline_figure
from .results import Check, Evaluation, JudgedBy, NotJudged
from .verdict import overall_verdict

_CSS = f"""
body{{font-family:sans-serif;margin:24px auto;color:#212121;max-width:1200px;padding:0 16px}}
h1 .pass{{color:{OUTCOME_COLOURS["pass"]}}}h1 .warn{{color:{OUTCOME_COLOURS["warn"]}}}
h1 .fail{{color:{OUTCOME_COLOURS["fail"]}}}h1 .inconclusive{{color:{OUTCOME_COLOURS["warn"]}}}
table{{border-collapse:collapse;width:100%;font-size:13px}}
td,th{{border-bottom:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top}}
td.pass{{color:{OUTCOME_COLOURS["pass"]}}}td.warn{{color:{OUTCOME_COLOURS["warn"]}}}
td.fail{{color:{OUTCOME_COLOURS["fail"]};font-weight:bold}}
section.chart{{margin:8px 0 24px}}p.note{{color:#616161;font-size:13px}}
"""


def render_html(
    evaluation: Evaluation,
    checks: Sequence[Check],
    fault_windows: Sequence[FaultWindow],
    title: str,
    frame: pl.DataFrame,
    *,
    interrupted: bool = False,
    judged_by: JudgedBy | None = None,
) -> str:
    """`frame`: the judged observations with intent and tenant, for the breakdowns (may be
    empty); the timeline is the evaluation's own, the one report.json holds. `judged_by`:
    the promises that judged the run and what they left unjudged."""
    verdict = overall_verdict(evaluation, checks)
    outcomes = [evaluation.gate_outcome(result) for result in evaluation.results]
    charts = _Charts()
    sections = [_heading(evaluation, verdict, title, interrupted, evaluation.matched)]
    if judged_by is not None:
        sections.append(f'<p class="note">Promises: {escape(judged_by.source)}.</p>')
    series = evaluation.timeline
    if series.rows.is_empty():
        sections.append('<p class="note">No observation to plot.</p>')
    else:
        sections.append(
            f"<h2>Timeline</h2>"
            f'<p class="note">Buckets of {series.bucket_s:g} s. Grey bands: fault windows. '
            "In flight: requests under way at once (from each request's start and latency), "
            "the peak in each bucket. Drag to zoom, double-click to reset.</p>"
            + charts.add(timeline_figure(series, fault_windows))
        )
        for column in ("intent", "tenant"):
            table = breakdown(frame, column)
            if not table.is_empty():
                sections.append(
                    f"<h2>Per {column}</h2>" + charts.add(breakdown_figure(table, column))
                )
    objective_charts = "".join(charts.add(figure) for figure in objectives_figures(evaluation))
    sections.append(
        "<h2>Objectives</h2>"
        '<p class="note">Each observed value with its confidence interval; the bar is the '
        "target.</p>" + objective_charts + _objectives_table(evaluation, outcomes)
    )
    if checks:
        sections.append("<h2>Checks</h2>" + _checks_table(evaluation, checks))
    if judged_by is not None and judged_by.not_judged:
        sections.append("<h2>Not judged</h2>" + _not_judged_table(judged_by.not_judged))
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


class _Charts:
    """Renders figures to divs; plotly.js is inlined with the first one only."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, figure: go.Figure) -> str:
        self.count += 1
        div = figure.to_html(
            full_html=False,
            include_plotlyjs=self.count == 1,
            config=PLOT_CONFIG,
            div_id=f"chart-{self.count}",
        )
        return f'<section class="chart">{div}</section>'


def _heading(
    evaluation: Evaluation, verdict: str, title: str, interrupted: bool, plotted: int
) -> str:
    spec = evaluation.spec
    stopped = " <small>(interrupted: partial results)</small>" if interrupted else ""
    plotted_note = (
        f" The charts show the {plotted} observations that pass the SLO file's filters."
        if evaluation.matched != evaluation.observations
        else ""
    )
    return (
        f'<h1>{escape(title)}: <span class="{verdict}">{verdict.upper()}</span>{stopped}</h1>'
        f"<p>SLO <b>{escape(spec.name)}</b>: {evaluation.matched} of {evaluation.observations} "
        f"observations, {spec.confidence:.0%} confidence, inconclusive counts as "
        f"<b>{escape(spec.on_inconclusive)}</b>.{plotted_note}</p>"
    )


def _objectives_table(evaluation: Evaluation, outcomes: Sequence[str]) -> str:
    rows = "".join(
        f'<tr><td class="{outcome}">{escape(r.verdict)}</td><td>{escape(r.label)}</td>'
        f"<td>{escape(r.target)}</td><td>{show_value(r.observed, r.unit)}</td>"
        f"<td>{show_interval(r)}</td><td>{r.samples}</td><td>{escape(show_note(r))}</td></tr>"
        for r, outcome in zip(evaluation.results, outcomes, strict=True)
    )
    header = "".join(
        f"<th>{name}</th>"
        for name in ("verdict", "objective", "target", "observed", "interval", "n", "note")
    )
    return f"<table><tr>{header}</tr>{rows}</table>"


def _checks_table(evaluation: Evaluation, checks: Sequence[Check]) -> str:
    rows = "".join(
        f'<tr><td class="{evaluation.check_outcome(c)}">{c.verdict}</td>'
        f"<td>{escape(c.group)}: {escape(c.name)}</td><td>{escape(c.detail)}</td></tr>"
        for c in checks
    )
    return f"<table><tr><th>verdict</th><th>check</th><th>detail</th></tr>{rows}</table>"


def _not_judged_table(not_judged: Sequence[NotJudged]) -> str:
    """Expectations that are no promise of this system: neither passed nor failed."""
    rows = "".join(
        f"<tr><td>not judged</td><td>{escape(n.group)}: {escape(n.name)}</td>"
        f"<td>{escape(n.reason)}</td></tr>"
        for n in not_judged
    )
    return f"<table><tr><th>verdict</th><th>expectation</th><th>why</th></tr>{rows}</table>"
