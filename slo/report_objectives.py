"""The report's objectives chart: each objective's observed value with its confidence
interval, and its target, on a real scale (one panel per unit: ratios in %, latencies in ms,
recovery times in s)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from .report_style import OUTCOME_COLOURS, base_layout
from .results import ObjectiveResult

_AXES = {
    "ratio": ("observed ratio (%)", 100.0, "%{x:.3f}%"),
    "ms": ("latency (ms)", 1.0, "%{x:,.1f} ms"),
    "s": ("recovery time (s)", 1.0, "%{x:,.1f} s"),
}


def objectives_figures(results: Sequence[ObjectiveResult], outcomes: Sequence[str]) -> list:
    """One figure per unit present, in the order ratio, ms, s."""
    figures = []
    for unit, (axis_title, scale, value_format) in _AXES.items():
        rows = [(r, o) for r, o in zip(results, outcomes, strict=True) if r.unit == unit]
        if rows:
            figures.append(_figure(rows, axis_title, scale, value_format))
    return figures


def _figure(
    rows: list[tuple[ObjectiveResult, str]], axis_title: str, scale: float, value_format: str
) -> go.Figure:
    figure = go.Figure()
    for outcome, colour in OUTCOME_COLOURS.items():
        members = [result for result, each in rows if each == outcome]
        if not members:
            continue
        observed = [_scaled(r.observed, scale) for r in members]
        figure.add_trace(
            go.Scatter(
                y=[r.label for r in members],
                x=observed,
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
        )
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
    figure.update_xaxes(title_text=axis_title, rangemode="tozero")
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
