"""The evaluation of segments read a span at a time (`evaluate_segments`) says exactly what the
whole-frame evaluation says of the same observations: every result field, the timeline, the
totals. Observation sets are generated (ties, requests out of order, runs of every shape), cut
into small segments and read in chunks of a few buckets, so every merge and carry is crossed."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slo.streamed_evaluation as streamed
from slo import SloSpec
from slo.baseline import BaselineObjective, BaselineReport
from slo.evaluation import evaluate_frame
from slo.exact_ranks import FineHistogram, SelectedLatencies, fine_bin
from slo.frame import expand, read_frame
from slo.latency import ExactLatencies
from vocabulary import Observation, Phase
from vocabulary.segment_writer import SegmentWriter

OBJECTIVES = [
    {"name": "failed", "ratio": "failed", "max": 0.05},
    {"name": "answered per tenant", "ratio": "answered", "min": 0.9, "per": "tenant"},
    {"name": "db errors", "ratio": "tool_error", "tool": "direct_query", "max": 0.2},
    {"name": "fallbacks", "ratio": "fallback", "max": 0.3, "filters": {"phase": "fault"}},
    {"name": "failed per 2 s", "ratio": "failed", "max": 0.2, "window_s": 2},
    {
        "name": "sliced",
        "ratio": "failed",
        "max": 0.2,
        "budgeting": "timeslices",
        "slice_s": 3,
        "good_slices": 0.5,
    },
    {
        "name": "fault vs calm",
        "ratio": "failed",
        "max": 0.3,
        "filters": {"phase": "fault"},
        "compare_with_phase": "baseline",
    },
    {"name": "p50", "latency": "p50", "max_ms": 40},
    {"name": "p99 per intent", "latency": "p99", "max_ms": 200, "per": "intent"},
    {"name": "p95 in faults", "latency": "p95", "max_ms": 90, "filters": {"phase": "fault"}},
    {"name": "recovers", "recovers_within_s": 4, "stable_for_s": 2},
]
PHASES = [Phase.BASELINE, Phase.FAULT, Phase.RECOVERY, Phase.BURST]
STATUSES = ["success", "success", "success", "partial", "degraded", "failed"]

request = st.tuples(
    st.floats(min_value=0, max_value=30, allow_nan=False),  # start, s from the run's start
    st.one_of(  # latency, ms: ties and zero included
        st.sampled_from([0.0, 1.0, 25.0, 40.0, 90.0, 200.0]),
        st.floats(min_value=0, max_value=5_000, allow_nan=False),
    ),
    st.sampled_from(STATUSES),
    st.integers(min_value=0, max_value=3),  # intent, tenant, phase
    st.booleans(),  # a tool error
)


def _observations(rows: list[tuple[float, float, str, int, bool]]) -> list[Observation]:
    return [
        Observation(
            ts=1_700_000_000.0 + start,
            scenario=["a", "b"][kind % 2],
            phase=PHASES[kind] if start < 25 else Phase.RECOVERY,
            tenant=f"t{kind % 3}",
            intent=["lookup", "search"][kind % 2],
            status=status,
            latency_ms=latency,
            tool_errors={"direct_query": "timeout"} if error else {},
            fallback_used=status == "partial",
        )
        for start, latency, status, kind, error in rows
    ]


def _segments(folder: Path, observations: list[Observation], rows: int) -> list[Path]:
    with SegmentWriter(folder, rows_per_segment=rows, seconds_per_segment=float("inf")) as writer:
        writer.extend(observations)
    return expand(folder)


def _same(files: list[Path], spec: SloSpec, baseline: BaselineReport | None = None) -> None:
    whole = evaluate_frame(
        read_frame(files, spec, extra=("intent", "source")), spec, baseline=baseline
    )
    parts = streamed.evaluate_segments(files, spec, baseline=baseline)
    if not whole.matched:  # nothing judged: the whole frame's evaluation is the one given
        assert parts is None
        return
    assert parts is not None
    assert parts.results == whole.results
    assert parts.timeline.start == whole.timeline.start
    assert parts.timeline.bucket_s == whole.timeline.bucket_s
    assert parts.timeline.statuses == whole.timeline.statuses
    assert parts.timeline.rows.equals(whole.timeline.rows)
    for name in ("observations", "matched", "started", "ended", "status_totals", "no_data"):
        assert getattr(parts, name) == getattr(whole, name), name
    assert parts.scenarios == whole.scenarios
    assert parts.healthy == whole.healthy
    assert parts.healthy_comparison == whole.healthy_comparison


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(request, min_size=1, max_size=300),
    segment_rows=st.integers(min_value=1, max_value=80),
    chunk_rows=st.integers(min_value=1, max_value=200),
    filtered=st.booleans(),
)
def test_segments_read_in_parts_give_the_whole_frames_verdicts(
    rows: list, segment_rows: int, chunk_rows: int, filtered: bool
) -> None:
    spec = SloSpec.model_validate(
        {
            "objectives": OBJECTIVES,
            "min_samples": 5,
            **({"filters": {"tenant": ["t0", "t1"]}} if filtered else {}),
        }
    )
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        patch.setattr(streamed, "CHUNK_ROWS", chunk_rows)
        files = _segments(Path(scratch), _observations(rows), segment_rows)
        _same(files, spec)


def test_a_baseline_comparison_reads_the_same_slower_share(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = [
        (float(t), float(lat), "success", int(k), False)
        for t, lat, k in zip(  # noqa: B905
            rng.uniform(0, 30, 2_000), rng.exponential(30, 2_000), rng.integers(0, 4, 2_000)
        )
    ]
    spec = SloSpec.model_validate({"objectives": OBJECTIVES})
    previous = BaselineObjective(kind="latency", samples=500, hits=0, observed=35.0, quantile=0.5)
    baseline = BaselineReport("old/report.json", {("p50", ""): previous}, None)
    files = _segments(tmp_path, _observations(rows), 300)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(streamed, "CHUNK_ROWS", 250)
        _same(files, spec, baseline)


def test_a_filter_matching_nothing_is_judged_as_before(tmp_path: Path) -> None:
    spec = SloSpec.model_validate({"objectives": OBJECTIVES, "filters": {"tenant": "nobody"}})
    files = _segments(tmp_path, _observations([(1.0, 5.0, "success", 0, False)]), 10)
    assert streamed.evaluate_segments(files, spec) is None  # the whole-frame path decides
    assert all(
        r.verdict.value == "inconclusive"
        for r in evaluate_frame(read_frame(files, spec), spec).results
    )


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1),
    parts=st.integers(min_value=1, max_value=5),
    ranks=st.lists(st.one_of(st.none(), st.integers(min_value=-3, max_value=400)), max_size=4),
    thresholds=st.lists(st.floats(min_value=-1, max_value=1e6, allow_nan=False), max_size=3),
)
def test_two_reads_select_the_order_statistics_of_the_whole_group(
    values: list[float], parts: int, ranks: list[int | None], thresholds: list[float]
) -> None:
    latencies = np.array(values, dtype=np.float64)
    histogram = FineHistogram()
    for part in np.array_split(latencies, parts):
        histogram.add(fine_bin(part))
    selected = SelectedLatencies(histogram, ranks, thresholds)
    for part in np.array_split(latencies, parts):
        selected.gather(fine_bin(part), part)
    exact = ExactLatencies(latencies.copy())
    assert selected.count == exact.count
    assert selected.at_ranks(*ranks) == exact.at_ranks(*ranks)
    for threshold in thresholds:
        assert selected.count_above(threshold) == exact.count_above(threshold)


def test_no_more_than_a_chunk_of_the_run_is_held_at_once(tmp_path: Path) -> None:
    """A long run is read a few buckets at a time: each read holds about CHUNK_ROWS requests,
    not the run (here 20 reads of ~500 of 10,000 requests, in segments of 700)."""
    rows = [(i * 0.01, 5.0, "success", i % 4, False) for i in range(10_000)]
    files = _segments(tmp_path, _observations(rows), 700)
    spec = SloSpec.model_validate({"objectives": OBJECTIVES})
    held: list[int] = []
    original = streamed.StreamedTimeline.add

    def counting(self, rows, low, high) -> None:  # noqa: ANN001
        held.append(rows.height)
        original(self, rows, low, high)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(streamed, "CHUNK_ROWS", 500)
        patch.setattr(streamed.StreamedTimeline, "add", counting)
        evaluation = streamed.evaluate_segments(files, spec)
    assert evaluation is not None and evaluation.matched == 10_000
    assert sum(held) == 10_000
    assert len(held) >= 10
    assert max(held) <= 1_000  # a chunk rounds to whole buckets (100 requests each here)
