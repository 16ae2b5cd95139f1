"""The look every chart of report.html shares: status colours, fonts, margins.

Status colours are four distinct hues (green, blue, orange, red) from a palette that stays
apart under the common colour-vision deficiencies, so `partial` and `degraded` never read as
each other. Fault windows are a neutral grey band drawn *below* the data: the bars and lines
on top keep their own colour, and the band's label says which fault it was.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

STATUS_COLOURS = {
    "success": "#009E73",
    "partial": "#0072B2",
    "degraded": "#E69F00",
    "failed": "#D55E00",
}
OTHER_STATUS_COLOUR = "#7f7f7f"
OUTCOME_COLOURS = {"pass": "#1b7837", "warn": "#b8860b", "fail": "#c62828"}
FAULT_FILL = "rgba(80, 80, 80, 0.14)"
FAULT_EDGE = "rgba(60, 60, 60, 0.55)"

# What every chart's mode bar offers: zoom, pan, reset, and a PNG; no link out of the page.
PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True, "scrollZoom": False}


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR)


def base_layout(figure: go.Figure, *, height: int) -> None:
    figure.update_layout(
        height=height,
        template="plotly_white",
        font={"family": "sans-serif", "size": 12},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "v", "x": 1.01, "y": 1, "groupclick": "toggleitem"},
    )
    figure.update_xaxes(automargin=True, showline=True, linecolor="#9e9e9e", ticks="outside")
    figure.update_yaxes(automargin=True, showline=True, linecolor="#9e9e9e", ticks="outside")
