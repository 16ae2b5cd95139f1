"""report.html: one self-contained, interactive page, drawn with Plotly.

Why Plotly rather than Vega-Lite: the `plotly` Python package ships plotly.js inside it, so
the page inlines the library from an installed package and opens offline with nothing else
to fetch or vendor; hover values, zoom, pan and legend toggling come without any extra
specification; shared time axes across subplots let one zoom drive every timeline panel.
The price is size: plotly.js is about 4.6 MB, inlined once per page (the later charts of a
page reuse it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import plotly.graph_objects as go
import polars as pl

from vocabulary import FaultWindow

from .breakdown import breakdown
from .report_breakdown import breakdown_figure
from .report_findings import TIMELINE_CHART, ScenarioRow
from .report_html_lead import ZOOM_SCRIPT, lead_sections
from .report_objectives import objectives_figures
from .report_style import OUTCOME_COLOURS, PLOT_CONFIG
from .report_timeline import timeline_figure
from .results import Check, Evaluation, JudgedBy, NotJudged

_CSS = f"""
body{{font-family:sans-serif;margin:24px auto;color:#212121;max-width:1200px;padding:0 16px}}
h1 .pass{{color:{OUTCOME_COLOURS["pass"]}}}h1 .warn{{color:{OUTCOME_COLOURS["warn"]}}}
h1 .fail{{color:{OUTCOME_COLOURS["fail"]}}}h1 .inconclusive{{color:{OUTCOME_COLOURS["warn"]}}}
table{{border-collapse:collapse;width:100%;font-size:13px}}
td,th{{border-bottom:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top}}
td.pass{{color:{OUTCOME_COLOURS["pass"]}}}td.warn{{color:{OUTCOME_COLOURS["warn"]}}}
td.fail{{color:{OUTCOME_COLOURS["fail"]};font-weight:bold}}
section.chart{{margin:8px 0 24px}}p.note{{color:#616161;font-size:13px}}
p.lede{{font-size:16px}}table.findings td{{font-size:14px}}
table.findings td:nth-child(2){{white-space:nowrap}}
details{{margin:8px 0 16px}}summary{{cursor:pointer;color:#424242;font-weight:bold}}
"""


def render_html(
    evaluation: Evaluation,
    checks: Sequence[Check],
    fault_windows: Sequence[FaultWindow],
    title: str,
    frame: pl.DataFrame,
    *,
    interrupted: bool = False,
    scenarios: Sequence[ScenarioRow] = (),
    spans: Mapping[str, tuple[float, float]] | None = None,
    judged_by: JudgedBy | None = None,
) -> str:
    """`frame`: the judged observations with intent and tenant, for the breakdowns (may be
    empty); the timeline is the evaluation's own, the one report.json holds. `scenarios`:
    the per-scenario rows; `spans`: each scenario's (start, end) in epoch seconds;
    `judged_by`: the promises that judged the run and what they left unjudged."""
    series = evaluation.timeline
    offsets = {
        name: (start - series.start, end - series.start)
        for name, (start, end) in (spans or {}).items()
    }
    sections = lead_sections(
        evaluation,
        checks,
        title,
        interrupted=interrupted,
        scenarios=scenarios,
        offsets=offsets,
    )
    sections += _promises_sections(judged_by)
    sections += _chart_sections(evaluation, fault_windows, frame)
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n"
        f"{ZOOM_SCRIPT}\n</body></html>\n"
    )


def _chart_sections(
    evaluation: Evaluation, fault_windows: Sequence[FaultWindow], frame: pl.DataFrame
) -> list[str]:
    charts = _Charts()
    series = evaluation.timeline
    sections = []
    if series.rows.is_empty():
        sections.append('<p class="note">No observation to plot.</p>')
    else:
        plotted = (
            f" The charts show the {evaluation.matched} observations that pass the SLO "
            "file's filters."
            if evaluation.matched != evaluation.observations
            else ""
        )
        sections.append(
            f"<h2>Timeline</h2>"
            f'<p class="note">Buckets of {series.bucket_s:g} s. Grey bands: fault windows. '
            "In flight: requests under way at once (from each request's start and latency), "
            f"the peak in each bucket. Drag to zoom, double-click to reset.{plotted}</p>"
            + charts.add(timeline_figure(series, fault_windows), TIMELINE_CHART)
        )
        for column in ("intent", "tenant"):
            table = breakdown(frame, column)
            if not table.is_empty():
                sections.append(
                    f"<h2>Per {column}</h2>"
                    + charts.add(breakdown_figure(table, column), f"chart-{column}")
                )
    objective_charts = "".join(
        charts.add(figure, chart_id) for chart_id, figure in objectives_figures(evaluation)
    )
    sections.append(
        "<h2>Objectives</h2>"
        '<p class="note">Each observed value with its confidence interval; the bar is the '
        "target.</p>" + objective_charts
    )
    return sections


class _Charts:
    """Renders figures to divs; plotly.js is inlined with the first one only."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, figure: go.Figure, chart_id: str) -> str:
        self.count += 1
        div = figure.to_html(
            full_html=False,
            include_plotlyjs=self.count == 1,
            config=PLOT_CONFIG,
            div_id=chart_id,
        )
        return f'<section class="chart">{div}</section>'


def _promises_sections(judged_by: JudgedBy | None) -> list[str]:
    """Which promises judged the run, and what they left unjudged (folded: no verdict)."""
    if judged_by is None:
        return []
    sections = [f'<p class="note">Promises: {escape(judged_by.source)}.</p>']
    if judged_by.not_judged:
        count = len(judged_by.not_judged)
        sections.append(
            f"<details><summary>{count} not judged: the system declares no such knob "
            f"(never a pass, never a fail)</summary>{_not_judged_table(judged_by.not_judged)}"
            "</details>"
        )
    return sections


def _not_judged_table(not_judged: Sequence[NotJudged]) -> str:
    """Expectations that are no promise of this system: neither passed nor failed."""
    rows = "".join(
        f"<tr><td>not judged</td><td>{escape(n.group)}: {escape(n.name)}</td>"
        f"<td>{escape(n.reason)}</td></tr>"
        for n in not_judged
    )
    return f"<table><tr><th>verdict</th><th>expectation</th><th>why</th></tr>{rows}</table>"
