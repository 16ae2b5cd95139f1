"""The run's one time series (polars): buckets, gaps, requests in flight, exact percentiles,
breakdowns, and the figures drawn from them; report.json and the HTML show the same series."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slo.breakdown import breakdown
from slo.evaluation import evaluate_files
from slo.latency import ExactLatencies, nearest_rank, quantile_rank
from slo.report_breakdown import breakdown_figure
from slo.report_style import STATUS_COLOURS
from slo.report_timeline import timeline_figure
from slo.reports import write_reports
from slo.spec import SloSpec
from slo.timeline import MAX_BUCKETS, NICE_BUCKETS_S, bucket_width, timeline
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


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(0, 10_000, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from([0.01, 0.5, 0.9, 0.95, 0.99, 0.999]),
)
def test_the_plotted_percentile_is_the_sample_an_objective_reads(
    latencies: list[float], q: float
) -> None:
    plotted = pl.DataFrame({"latency_ms": latencies}).select(nearest_rank(q)).item()
    judged = ExactLatencies(np.array(latencies)).at_ranks(quantile_rank(q, len(latencies)))
    assert plotted == judged[0]


GOLDEN = Path(__file__).parent / "golden"


def _plotted(html: str, chart: str) -> list[dict]:
    """The traces of one Plotly chart of a report.html, as the page hands them to plotly.js."""
    found = re.search(r'Plotly\.newPlot\(\s*"' + chart + r'",\s*', html)
    assert found is not None, chart
    traces, _ = json.JSONDecoder().raw_decode(html, found.end())
    return traces


def test_the_html_and_report_json_show_the_same_series(tmp_path: Path) -> None:
    spec = SloSpec.model_validate(json.loads((GOLDEN / "chaos.slo.json").read_text()))
    observations = GOLDEN / "chaos.jsonl"
    evaluation = evaluate_files(observations, spec)
    written = write_reports(tmp_path, evaluation, observations=[observations])
    series = json.loads(written["json"].read_text())["timeseries"]
    traces = _plotted(written["html"].read_text(), "chart-timeline")
    buckets = len(series["status_counts"])
    assert buckets > 1 and buckets <= MAX_BUCKETS
    middles = [(index + 0.5) * series["bucket_s"] for index in range(buckets)]
    bars = {trace["name"]: trace for trace in traces if trace["type"] == "bar"}
    assert set(bars) == {status for bucket in series["status_counts"] for status in bucket}
    for status, bar in bars.items():
        assert bar["x"] == middles
        assert bar["customdata"] == [bucket.get(status, 0) for bucket in series["status_counts"]]
    lines = {trace["name"]: trace for trace in traces if trace["name"] in ("p50", "p95", "p99")}
    for name, line in lines.items():
        assert line["x"] == middles and line["y"] == series[f"{name}_ms"], name
    assert len(lines) == 3
    rate = next(trace for trace in traces if trace["name"] == "requests/s")
    per_bucket = [sum(bucket.values()) for bucket in series["status_counts"]]
    assert rate["y"] == pytest.approx([n / series["bucket_s"] for n in per_bucket])


def test_the_series_counts_only_what_the_slo_file_judges(tmp_path: Path) -> None:
    path = tmp_path / "observations.jsonl"
    lines = [
        {"ts": START + i, "scenario": "s", "status": "success", "latency_ms": 5.0, "phase": phase}
        for i, phase in enumerate(["baseline", "fault", "fault", "recovery"])
    ]
    del lines[0]["phase"]  # the record's default: baseline
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    objectives = [{"name": "failed", "ratio": "failed", "max": 0.05}]
    for phase, kept in ((None, 4), ("fault", 2), ("baseline", 1)):
        filters = {"filters": {"phase": phase}} if phase else {}
        spec = SloSpec.model_validate({"objectives": objectives} | filters)
        series = evaluate_files(path, spec).timeseries
        assert sum(sum(bucket.values()) for bucket in series.status_counts) == kept, phase
