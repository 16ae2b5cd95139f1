"""Inline SVG charts drawn by hand, so report.html needs no script, CDN or network."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from vocabulary import STATUSES, FaultWindow

from .formatting import show_value
from .results import ObjectiveResult, TimeSeries

STATUS_COLOURS = dict(zip(STATUSES, ("#4caf50", "#ffb300", "#fb8c00", "#e53935"), strict=True))
PERCENTILE_COLOURS = {"p50": "#1e88e5", "p95": "#8e24aa", "p99": "#d81b60"}
_WIDTH, _HEIGHT, _LEFT, _TOP, _BOTTOM = 1000, 260, 60, 20, 40


def _x_scale(series: TimeSeries) -> tuple[float, float]:
    span = max(series.bucket_s * max(len(series.status_counts), 1), 1e-9)
    return series.start, (_WIDTH - _LEFT - 20) / span


def _fault_shading(
    series: TimeSeries, windows: Sequence[FaultWindow], plot_height: float
) -> list[str]:
    origin, per_second = _x_scale(series)
    limit = _WIDTH - 20
    shapes = []
    for window in windows:
        x0 = max(_LEFT, _LEFT + (window.start - origin) * per_second)
        x1 = min(limit, _LEFT + (window.end - origin) * per_second)
        if x1 <= x0:
            continue
        shapes.append(
            f'<rect class="fault" x="{x0:.1f}" y="{_TOP}" width="{x1 - x0:.1f}" height="{plot_height}" '
            f'fill="#424242" fill-opacity="0.22" stroke="#212121" stroke-dasharray="4 3"><title>{escape(window.label)}</title></rect>'
        )
        shapes.append(
            f'<text x="{x0 + 3:.1f}" y="{_TOP + 12}" font-size="11" fill="#424242">{escape(window.label)}</text>'
        )
    return shapes


def _time_axis(series: TimeSeries, plot_height: float) -> list[str]:
    total = series.bucket_s * len(series.status_counts)
    _, per_second = _x_scale(series)
    y = _TOP + plot_height
    parts = [f'<line x1="{_LEFT}" y1="{y}" x2="{_WIDTH - 20}" y2="{y}" stroke="#616161"/>']
    for step in range(6):
        seconds = total * step / 5
        x = _LEFT + seconds * per_second
        parts.append(
            f'<text x="{x:.1f}" y="{y + 16}" font-size="11" text-anchor="middle">+{seconds:.0f}s</text>'
        )
    return parts


def status_mix_chart(series: TimeSeries, windows: Sequence[FaultWindow]) -> str:
    plot_height = _HEIGHT - _TOP - _BOTTOM
    _, per_second = _x_scale(series)
    bar_width = series.bucket_s * per_second
    parts: list[str] = []
    for index, counts in enumerate(series.status_counts):
        total = sum(counts.values())
        if not total:
            continue
        x = _LEFT + index * bar_width
        y = _TOP + plot_height
        for status, colour in STATUS_COLOURS.items():
            share = counts.get(status, 0) / total
            if share <= 0:
                continue
            height = share * plot_height
            y -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_width - 0.5, 0.5):.1f}" height="{height:.1f}" '
                f'fill="{colour}" fill-opacity="0.85"><title>{status} {share:.1%} of {total}</title></rect>'
            )
    for fraction in (0, 0.5, 1):
        y = _TOP + plot_height * (1 - fraction)
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{fraction:.0%}</text>'
        )
    parts += _fault_shading(series, windows, plot_height)  # over the bars, or they would hide it
    parts += _time_axis(series, plot_height)
    parts += _legend(STATUS_COLOURS)
    return _svg("Status mix over time (fault windows shaded)", parts)


def latency_chart(series: TimeSeries, windows: Sequence[FaultWindow]) -> str:
    plot_height = _HEIGHT - _TOP - _BOTTOM
    _, per_second = _x_scale(series)
    lines = {"p50": series.p50_ms, "p95": series.p95_ms, "p99": series.p99_ms}
    peak = (
        max((v for values in lines.values() for v in values if v is not None), default=1.0) or 1.0
    )
    parts = _fault_shading(series, windows, plot_height)
    for name, values in lines.items():
        points = [
            f"{_LEFT + (i + 0.5) * series.bucket_s * per_second:.1f},{_TOP + plot_height * (1 - v / peak):.1f}"
            for i, v in enumerate(values)
            if v is not None
        ]
        if points:
            parts.append(
                f'<polyline fill="none" stroke="{PERCENTILE_COLOURS[name]}" stroke-width="2" points="{" ".join(points)}"/>'
            )
    for fraction in (0, 0.5, 1):
        y = _TOP + plot_height * (1 - fraction)
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{peak * fraction:.0f} ms</text>'
        )
    parts += _time_axis(series, plot_height)
    parts += _legend(PERCENTILE_COLOURS)
    return _svg("Latency percentiles over time", parts)


def objectives_chart(results: Sequence[ObjectiveResult], outcome_of: dict[int, str]) -> str:
    """One row per objective: its interval as a bar, the observed value as a dot and the
    target as a tick, on a scale where the target sits in the middle."""
    rows = [r for r in results if r.kind != "recovery" and r.threshold > 0]
    row_height, label_width, plot = 34, 240, 420
    height = _TOP + row_height * max(len(rows), 1) + 10
    colours = {"pass": "#2e7d32", "warn": "#f9a825", "fail": "#c62828"}
    parts = []
    for row, result in enumerate(rows):
        y = _TOP + row * row_height + row_height / 2
        scale = plot / (
            2 * result.threshold
        )  # target at the middle; clipped beyond twice the target

        def x_of(value: float | None, default: float) -> float:
            value = default if value is None else value
            return label_width + min(max(value, 0.0), 2 * result.threshold) * scale

        colour = colours[outcome_of[id(result)]]
        high_default = 2 * result.threshold if result.unit == "ms" else 1.0
        x0, x1 = x_of(result.lower, 0.0), x_of(result.upper, high_default)
        parts.append(
            f'<text x="{label_width - 10}" y="{y + 4:.1f}" font-size="12" text-anchor="end">{escape(result.label)}</text>'
        )
        parts.append(
            f'<line x1="{label_width}" y1="{y:.1f}" x2="{label_width + plot}" y2="{y:.1f}" stroke="#e0e0e0"/>'
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{y - 6:.1f}" width="{max(x1 - x0, 1):.1f}" height="12" fill="{colour}" fill-opacity="0.35"/>'
        )
        if result.observed is not None:
            parts.append(
                f'<circle cx="{x_of(result.observed, 0):.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
            )
        target_x = label_width + plot / 2
        parts.append(
            f'<line x1="{target_x}" y1="{y - 11:.1f}" x2="{target_x}" y2="{y + 11:.1f}" stroke="#212121" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{label_width + plot + 10}" y="{y + 4:.1f}" font-size="12">{escape(result.verdict)}: '
            f"{show_value(result.observed, result.unit)} vs {escape(result.target)}</text>"
        )
    return _svg(
        "Objectives: interval (bar), observed (dot), target (tick, centre)", parts, height=height
    )


def _legend(colours: dict[str, str]) -> list[str]:
    parts = []
    for index, (name, colour) in enumerate(colours.items()):
        x = _LEFT + index * 110
        parts.append(f'<rect x="{x}" y="{_HEIGHT - 14}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{_HEIGHT - 4}" font-size="12">{name}</text>')
    return parts


def _svg(title: str, parts: list[str], height: int | float = _HEIGHT) -> str:
    return (
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {_WIDTH} {height:.0f}" font-family="sans-serif" role="img">'
        + "".join(parts)
        + "</svg></figure>"
    )
