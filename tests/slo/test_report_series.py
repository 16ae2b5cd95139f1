"""The HTML report's plot series (polars): buckets, gaps, requests in flight, breakdowns,
and the figures drawn from them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from slo.report_breakdown import breakdown_figure
from slo.report_series import (
    MAX_BUCKETS,
    NICE_BUCKETS_S,
    breakdown,
    bucket_width,
    read_frame,
    timeline,
)
from slo.report_style import STATUS_COLOURS
from slo.report_timeline import timeline_figure
from slo.spec import Filters
from vocabulary import FaultWindow

START = 1_700_000_000.0


def frame_of(requests: list[tuple[float, float]], **columns: list[str]) -> pl.DataFrame:
    """(start offset s, latency ms) per request; other columns default to one value."""
    count = len(requests)
    return pl.DataFrame(
        {
            "ts": [START + offset for offset, _ in requests],
            "status": columns.get("status", ["success"] * count),
            "latency_ms": [latency for _, latency in requests],
            "scenario": ["s"] * count,
            "phase": columns.get("phase", ["baseline"] * count),
            "tenant": columns.get("tenant", ["acme"] * count),
            "intent": columns.get("intent", ["lookup"] * count),
            "source": ["scenario"] * count,
        }
    )


@given(st.floats(min_value=0, max_value=10 * 3600))
def test_bucket_width_is_a_nice_value_that_bounds_the_bucket_count(span: float) -> None:
    width = bucket_width(span)
    assert width in NICE_BUCKETS_S
    assert span / width <= MAX_BUCKETS or width == NICE_BUCKETS_S[-1]


def test_a_period_without_requests_is_a_gap_not_a_line() -> None:
    requests = [(second + 0.5, 40.0) for second in [*range(0, 10), *range(20, 30)]]
    series = timeline(frame_of(requests))
    idle = series.rows.filter(pl.col("requests") == 0)
    busy = series.rows.filter(pl.col("requests") > 0)
    assert idle.height * series.bucket_s >= 9  # the ten seconds without a request
    assert idle["p95"].null_count() == idle.height and busy["p95"].null_count() == 0
    figure = timeline_figure(series, [])
    p95 = next(trace for trace in figure.data if trace.name == "p95")
    assert p95.connectgaps is False
    assert sum(value is None for value in p95.y) == idle.height


# Whole milliseconds, then ends offset by 0.4 ms: an end never falls exactly on a bucket edge
# or on a start, where the order of simultaneous events (documented, not tested) decides.
_REQUESTS = st.lists(
    st.tuples(st.integers(0, 50_000), st.integers(0, 8_000)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(_REQUESTS)
def test_in_flight_is_the_peak_overlap_of_requests_in_each_bucket(requests) -> None:
    requests = [(at_ms / 1000, latency_ms + 0.4) for at_ms, latency_ms in requests]
    series = timeline(frame_of(requests))
    intervals = [(START + at, START + at + latency / 1000) for at, latency in requests]

    def bucket(at: float) -> int:  # the report's own bucketing, floating point included
        return math.floor((at - series.start) / series.bucket_s)

    for row in series.rows.iter_rows(named=True):
        lo = series.start + row["t_s"]
        # Overlap only rises at a start: the peak is at the bucket's start or at a start in it.
        at_lo = sum(bucket(s) < row["bucket"] and e > lo for s, e in intervals)
        at_starts = [
            sum(s <= t < e for s, e in intervals)
            for t, _ in intervals
            if bucket(t) == row["bucket"]
        ]
        assert row["in_flight"] == max([at_lo, *at_starts]), (row, intervals)


def test_breakdown_counts_each_value_and_skips_a_single_valued_column() -> None:
    requests = [(i * 0.1, 10.0 * (i % 7 + 1)) for i in range(90)]
    intents = ["search", "lookup", "deploys"] * 30
    statuses = ["success", "success", "partial"] * 30
    table = breakdown(frame_of(requests, intent=intents, status=statuses), "intent")
    assert table["intent"].to_list() == ["deploys", "lookup", "search"]
    assert table["requests"].to_list() == [30, 30, 30]
    assert table["partial"].to_list() == [30, 0, 0]
    assert breakdown(frame_of(requests), "tenant").is_empty()
    figure = breakdown_figure(table, "intent")
    assert {trace.name for trace in figure.data} == {"success", "partial", "p50", "p95", "p99"}


def test_the_last_request_has_its_bucket() -> None:
    rows = timeline(frame_of([(0.0, 5.0), (1.5, 7.5)])).rows  # 1.5 // 0.1 is 14.0 in floats
    assert rows["requests"].sum() == 2 and rows["requests"][-1] == 1


def test_read_frame_applies_the_slo_files_filters(tmp_path: Path) -> None:
    path = tmp_path / "observations.jsonl"
    lines = [
        {"ts": START + i, "scenario": "s", "status": "success", "latency_ms": 5.0, "phase": phase}
        for i, phase in enumerate(["baseline", "fault", "fault", "recovery"])
    ]
    del lines[0]["phase"]  # the record's default: baseline
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert read_frame([path]).height == 4
    assert read_frame([path], Filters.model_validate({"phase": "fault"})).height == 2
    assert read_frame([path], Filters.model_validate({"phase": "baseline"})).height == 1
    assert read_frame([path], Filters.model_validate({"source": "scenario"})).height == 4
    assert read_frame([], None).height == 0


def test_status_colours_stay_distinct_and_fault_bands_sit_below_the_data() -> None:
    assert len(set(STATUS_COLOURS.values())) == 4
    partial, degraded = (_rgb(STATUS_COLOURS[s]) for s in ("partial", "degraded"))
    assert sum(abs(a - b) for a, b in zip(partial, degraded, strict=True)) > 300
    requests = [(i * 0.2, 30.0) for i in range(300)]
    figure = timeline_figure(
        timeline(frame_of(requests)), [FaultWindow(START + 20, START + 40, "x")]
    )
    bands = [shape for shape in figure.layout.shapes if shape.fillcolor and shape.layer == "below"]
    assert len(bands) == 4  # one per panel
    assert any("fault: x" in note.text for note in figure.layout.annotations)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_a_fault_still_active_at_the_end_is_drawn_to_the_last_bucket() -> None:
    series = timeline(frame_of([(i * 0.5, 30.0) for i in range(100)]))
    figure = timeline_figure(series, [FaultWindow(START + 30)])  # end: inf, still active
    bands = [shape for shape in figure.layout.shapes if shape.layer == "below"]
    assert bands and all(band.x1 == series.bucket_s * series.rows.height for band in bands)
