"""The report's breakdown of one column (intent or tenant): the status mix of each value, and
its p50/p95/p99, side by side on a shared category axis."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from .report_style import base_layout, status_colour
from .timeline import QUANTILES

_QUANTILE_MARKERS = {"p50": "circle", "p95": "square", "p99": "triangle-up"}
_QUANTILE_COLOURS = {"p50": "#1f78b4", "p95": "#e31a1c", "p99": "#6a3d9a"}


def breakdown_figure(table: pl.DataFrame, column: str) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        column_widths=[0.55, 0.45],
        subplot_titles=[f"requests per {column}, by status", f"latency per {column}"],
    )
    values = table[column].to_list()
    statuses = [name for name in table.columns if name not in {column, "requests", *QUANTILES}]
    for status in statuses:
        if table[status].sum() == 0:
            continue
        figure.add_trace(
            go.Bar(
                y=values,
                x=table[status].to_list(),
                orientation="h",
                name=status,
                legendgroup="status",
                legendgrouptitle_text="status",
                marker={"color": status_colour(status)},
                hovertemplate=f"{status}: %{{x:,}} requests<extra>%{{y}}</extra>",
            ),
            row=1,
            col=1,
        )
    for name in QUANTILES:
        figure.add_trace(
            go.Scatter(
                y=values,
                x=table[name].to_list(),
                mode="markers",
                name=name,
                legendgroup="latency",
                legendgrouptitle_text="latency",
                marker={"symbol": _QUANTILE_MARKERS[name], "size": 10},
                marker_color=_QUANTILE_COLOURS[name],
                hovertemplate=f"{name}: %{{x:,.1f}} ms<extra>%{{y}}</extra>",
            ),
            row=1,
            col=2,
        )
    figure.update_xaxes(title_text="requests", rangemode="tozero", row=1, col=1)
    figure.update_xaxes(title_text="latency (ms)", rangemode="tozero", row=1, col=2)
    figure.update_yaxes(title_text=column, autorange="reversed", type="category", row=1, col=1)
    base_layout(figure, height=max(340, 140 + 34 * len(values)))  # room for the legend
    figure.update_layout(barmode="stack")
    return figure
