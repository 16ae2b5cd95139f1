"""The report's objectives chart: each objective's observed value with its confidence
interval, and its target, on a real scale (one panel per unit: ratios in %, latencies in ms,
recovery times in s)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from .report_style import OUTCOME_COLOURS, base_layout
from .results import Evaluation, ObjectiveResult

# (panel, x-axis title, scale, hover format). Ratio objectives with a minimum (e.g. answered
# >= 97%) sit near 100% and those with a maximum near 0%: one axis for both would squeeze
# one end flat, so each gets its own panel.
# An axis starts at zero, except for minimum ratios, whose story is how close to 100% they got.
_PANELS = (
    ("ratio at most", "observed ratio, objectives with a maximum (%)", 100.0, "%{x:.3f}%"),
    ("ratio at least", "observed ratio, objectives with a minimum (%)", 100.0, "%{x:.3f}%"),
    ("ms", "latency (ms)", 1.0, "%{x:,.1f} ms"),
    ("s", "recovery time (s)", 1.0, "%{x:,.1f} s"),
)
_FROM_ZERO = {"ratio at most", "ms", "s"}


def objectives_figures(evaluation: Evaluation) -> list[tuple[str, go.Figure]]:
    """One figure per panel that has an objective, in the order of _PANELS, each with its
    chart id (`report_findings.objective_chart` names the same ids)."""
    at_least = {o.name for o in evaluation.spec.objectives if o.ratio and not o.at_most}
    panels: dict[str, list[tuple[ObjectiveResult, str]]] = {}
    for result in evaluation.results:
        panel = result.unit
        if panel == "ratio":
            panel = "ratio at least" if result.name in at_least else "ratio at most"
        panels.setdefault(panel, []).append((result, evaluation.gate_outcome(result)))
    return [
        (
            "chart-objectives-" + panel.replace(" ", "-"),
            _figure(panels[panel], axis_title, scale, value_format, panel in _FROM_ZERO),
        )
        for panel, axis_title, scale, value_format in _PANELS
        if panel in panels
    ]


def _figure(
    rows: list[tuple[ObjectiveResult, str]],
    axis_title: str,
    scale: float,
    value_format: str,
    from_zero: bool,
) -> go.Figure:
    figure = go.Figure()
    for outcome, colour in OUTCOME_COLOURS.items():
        members = [result for result, each in rows if each == outcome]
        if members:
            figure.add_trace(_observed_trace(members, outcome, colour, scale, value_format))
    figure.add_trace(
        go.Scatter(
            y=[result.label for result, _ in rows],
            x=[result.threshold * scale for result, _ in rows],
            mode="markers",
            name="target",
            marker={"symbol": "line-ns-open", "size": 22, "color": "#212121", "line_width": 3},
            hovertemplate=f"target {value_format}<extra>%{{y}}</extra>",
        )
    )
    figure.update_xaxes(title_text=axis_title, rangemode="tozero" if from_zero else "normal")
    figure.update_yaxes(
        title_text="objective",
        type="category",
        autorange="reversed",
        categoryorder="array",
        categoryarray=[result.label for result, _ in rows],
    )
    base_layout(figure, height=110 + 30 * len(rows))
    figure.update_layout(margin={"t": 20})
    return figure


def _observed_trace(
    members: Sequence[ObjectiveResult], outcome: str, colour: str, scale: float, value_format: str
) -> go.Scatter:
    """The objectives of one outcome: each observed value, its interval as error bars."""
    return go.Scatter(
        y=[r.label for r in members],
        x=[_scaled(r.observed, scale) for r in members],
        mode="markers",
        name=f"observed ({outcome})",
        marker={"color": colour, "size": 10, "symbol": "diamond"},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [_above(r, scale) for r in members],
            "arrayminus": [_below(r, scale) for r in members],
            "color": colour,
            "thickness": 2,
            "width": 6,
        },
        customdata=[[r.target, r.verdict, r.samples] for r in members],
        hovertemplate=(
            f"observed {value_format}<br>target %{{customdata[0]}}"
            "<br>%{customdata[1]}, n=%{customdata[2]}<extra>%{y}</extra>"
        ),
    )


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None else value * scale


def _above(result: ObjectiveResult, scale: float) -> float:
    if result.upper is None or result.observed is None or not math.isfinite(result.upper):
        return 0.0
    return max(result.upper - result.observed, 0.0) * scale


def _below(result: ObjectiveResult, scale: float) -> float:
    if result.lower is None or result.observed is None or not math.isfinite(result.lower):
        return 0.0
    return max(result.observed - result.lower, 0.0) * scale
