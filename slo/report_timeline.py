"""The report's timeline: status mix, latency, requests per second and requests in flight,
stacked on one shared time axis, so zooming into one zooms into all four."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from vocabulary import FaultWindow

from .report_style import FAULT_EDGE, FAULT_FILL, base_layout, status_colour
from .timeline import Timeline

# Each percentile its own colour, dash and marker, and p95 drawn last (on top), so p95 is
# never hidden under p99 where they meet.
_LATENCY_STYLES = {
    "p99": {"color": "#6a3d9a", "dash": "dot", "width": 1.5, "symbol": "triangle-up", "rank": 3},
    "p50": {"color": "#1f78b4", "dash": "solid", "width": 1.5, "symbol": "circle", "rank": 1},
    "p95": {"color": "#e31a1c", "dash": "dash", "width": 2.5, "symbol": "square", "rank": 2},
}
_ROWS = (
    ("Status mix", "share of requests (%)"),
    ("Latency", "latency (ms)"),
    ("Throughput", "requests per second"),
    ("Concurrency", "requests in flight (peak)"),
)


def timeline_figure(series: Timeline, windows: Sequence[FaultWindow]) -> go.Figure:
    figure = make_subplots(
        rows=len(_ROWS),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[title for title, _ in _ROWS],
        row_heights=[0.3, 0.3, 0.2, 0.2],
    )
    rows = series.rows
    seconds = rows["t_s"] + series.bucket_s / 2  # each point at the middle of its bucket
    _status_mix(figure, rows, seconds, series)
    _latency(figure, rows, seconds)
    _load(figure, rows, seconds)
    for row, (_, axis_title) in enumerate(_ROWS, start=1):
        figure.update_yaxes(title_text=axis_title, rangemode="tozero", row=row, col=1)
    figure.update_yaxes(range=[0, 100], row=1, col=1)
    figure.update_xaxes(title_text="time since the first request (s)", row=len(_ROWS), col=1)
    figure.update_xaxes(range=[0, series.bucket_s * rows.height])
    figure.update_annotations(x=0, xanchor="left", font_size=13)  # panel titles, left
    _fault_windows(figure, windows, series.start, series.bucket_s * rows.height)
    base_layout(figure, height=920)
    figure.update_layout(barmode="stack", bargap=0.05, hovermode="x unified")
    return figure


def _status_mix(
    figure: go.Figure, rows: pl.DataFrame, seconds: pl.Series, series: Timeline
) -> None:
    requests = rows["requests"]
    for status in series.statuses:
        if rows[status].sum() == 0:
            continue
        # A bucket with no request has no share: null leaves a gap, not a zero-height bar.
        share = (rows[status] / requests * 100).fill_nan(None).to_list()
        figure.add_trace(
            go.Bar(
                x=seconds.to_list(),
                y=share,
                width=series.bucket_s,
                name=status,
                legendgroup="status",
                legendgrouptitle_text="status",
                marker={"color": status_colour(status), "line": {"width": 0}},
                customdata=rows[status].to_list(),
                hovertemplate="%{y:.1f}% (%{customdata} requests)",
            ),
            row=1,
            col=1,
        )


def _latency(figure: go.Figure, rows: pl.DataFrame, seconds: pl.Series) -> None:
    for name, style in _LATENCY_STYLES.items():
        figure.add_trace(
            go.Scatter(
                x=seconds.to_list(),
                y=rows[name].to_list(),
                name=name,
                legendrank=style["rank"],
                mode="lines+markers",
                connectgaps=False,  # no line across a period without requests
                line={"color": style["color"], "dash": style["dash"], "width": style["width"]},
                marker={"symbol": style["symbol"], "size": 5, "color": style["color"]},
                legendgroup="latency",
                legendgrouptitle_text="latency",
                hovertemplate="%{y:,.1f} ms",
            ),
            row=2,
            col=1,
        )


def _load(figure: go.Figure, rows: pl.DataFrame, seconds: pl.Series) -> None:
    for row, column, name, colour, template in (
        (3, "rps", "requests/s", "#33a02c", "%{y:,.1f} req/s"),
        (4, "in_flight", "in flight", "#ff7f00", "%{y} in flight"),
    ):
        figure.add_trace(
            go.Scatter(
                x=seconds.to_list(),
                y=rows[column].to_list(),
                name=name,
                mode="lines",
                line={"color": colour, "width": 2, "shape": "hv"},
                legendgroup="load",
                legendgrouptitle_text="load",
                hovertemplate=template,
            ),
            row=row,
            col=1,
        )


def _fault_windows(
    figure: go.Figure, windows: Sequence[FaultWindow], start: float, series_end: float
) -> None:
    """A grey band below the data in every panel, its edges as dotted lines above the data
    (the status bars fill their panel, so a band alone would be hidden there), and a labelled
    strip over the top panel.

    The shapes are built as plain dicts and set once: plotly's add_vrect/add_shape copy every
    shape already on the figure, which took tens of seconds for a suite's windows."""
    shapes: list[dict[str, object]] = []
    labels: list[dict[str, object]] = []
    panels = ["" if row == 1 else str(row) for row in range(1, len(_ROWS) + 1)]
    for window in windows:
        # A fault still active when the run stopped (end = inf) is drawn to the last bucket.
        end = min(window.end, start + series_end)
        x0, x1 = window.start - start, max(end, window.start) - start
        for panel in panels:
            axes = {"xref": f"x{panel}", "yref": f"y{panel} domain", "y0": 0, "y1": 1}
            shapes.append(
                {"type": "rect", "x0": x0, "x1": x1, "layer": "below", "fillcolor": FAULT_FILL}
                | {"line": {"width": 0}}
                | axes
            )
            edge_line = {"color": FAULT_EDGE, "width": 1.5, "dash": "dot"}
            shapes += [
                {"type": "line", "x0": edge, "x1": edge, "layer": "above", "line": edge_line} | axes
                for edge in (x0, x1)
            ]
        shapes.append(
            {"type": "rect", "x0": x0, "x1": x1, "xref": "x", "y0": 1.0, "y1": 1.04}
            | {"yref": "y domain", "fillcolor": FAULT_EDGE, "line": {"width": 0}}
        )
        labels.append(
            {"x": (x0 + x1) / 2, "y": 1.04, "xref": "x", "yref": "y domain"}
            | {"yanchor": "bottom", "text": f"fault: {window.label}", "showarrow": False}
            | {"font": {"size": 11, "color": "#212121"}}
        )
    figure.update_layout(
        shapes=[*figure.layout.shapes, *shapes],
        annotations=[*figure.layout.annotations, *labels],
    )
