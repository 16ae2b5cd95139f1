"""`evaluate_segments`: the evaluation of recorded segments, read a span of the run at a time.

The same verdicts as `evaluation.evaluate_frame` over the whole frame, with memory that does
not grow with the run: every count, split and series is mergeable, so it is taken chunk by
chunk (a chunk is a few of the timeline's buckets, folded into two small tables once,
`chunk_tables`) and summed; a latency percentile (an objective's, a timeline bucket's, the
healthy sketch's) is exact from a fine histogram and a second read of the few latencies its
ranks fall among (`exact_ranks`, `binned_latencies`). Three reads in all: the timestamps
(`segment_source`), the chunks, and the latencies once more; each read runs a step ahead of
the counting, on a thread of its own (`prefetch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

import polars as pl

from .accumulators import (
    ObjectiveState,
    _ratio_groups,
    reference_groups,
)
from .baseline import BaselineReport
from .binned_latencies import FINE, in_bins, with_fine_bins
from .chunk_tables import ChunkTables, counted_in, per_second, time_slice, window
from .confseq import quantile_rank_bounds
from .evaluation import _judge, _no_data, compared_with_baseline, totals_by_status
from .exact_ranks import FineHistogram, SelectedLatencies
from .expressions import NO_GROUP, group_key, group_name, matches
from .healthy import HEALTHY_COLUMNS
from .healthy_stream import StreamedHealthy
from .latency import quantile_rank
from .prefetch import prefetched
from .recovery_stream import RecoveryCounts
from .results import Evaluation
from .second_counts import (
    REQUESTS,
    Labels,
    SecondCounts,
    filter_labels,
    objective_labels,
    widest_labels,
)
from .segment_source import SegmentSource
from .spec import Objective, SloSpec
from .timeline_stream import StreamedTimeline

CHUNK_ROWS = 1_000_000  # requests held at once, about: a chunk is at least one bucket
_OVERVIEW: Labels = frozenset({"status", "phase", "scenario"})


def evaluate_segments(
    files: Sequence[Path], spec: SloSpec, *, baseline: BaselineReport | None = None
) -> Evaluation | None:
    """None when the SLO file judges none of the requests: the whole-frame evaluation says
    what that means (an objective of an empty run is still listed, inconclusive)."""
    source = SegmentSource(files, spec)
    if not source.bounds.matched:
        return None
    run = _RunCounts(spec, source)
    run.read_chunks()
    counts = SecondCounts.merged(run.second_tables)
    overview = counts.table(_OVERVIEW).collect()
    phases = {str(p) for p in overview["phase"].cast(pl.String).unique()}
    scenarios = tuple(sorted(overview["scenario"].cast(pl.String).unique()))
    matched = source.bounds.matched
    no_data = {o.name: why for o in spec.objectives if matched and (why := _no_data(o, phases))}
    latencies = _selected_latencies(run, spec, baseline)
    run.timeline.select()
    run.healthy.select()
    _gather(source, spec, run, latencies)
    healthy = run.healthy.cells()
    comparison = compared_with_baseline(baseline, scenarios, healthy, spec)
    results = []
    for objective in spec.objectives:
        if objective.name in no_data:
            continue
        state = _state(objective, counts, run, latencies.get(objective.name, {}))
        results += _judge(state, spec, baseline)
    status_totals = totals_by_status(counts.table(frozenset({"status"})))
    return Evaluation(
        spec=spec,
        results=results,
        timeline=run.timeline.timeline(),
        observations=source.observations,
        matched=matched,
        started=source.bounds.first,
        ended=source.bounds.last,
        status_totals=status_totals,
        baseline_source=baseline.source if baseline else "",
        no_data=no_data,
        scenarios=scenarios,
        healthy=healthy,
        healthy_comparison=comparison,
    )


class _RunCounts:
    """Everything counted from the chunks, merged."""

    def __init__(self, spec: SloSpec, source: SegmentSource) -> None:
        self.spec, self.source = spec, source
        bounds = source.bounds
        self.timeline = StreamedTimeline(bounds.first, bounds.last)
        self.healthy = StreamedHealthy()
        wanted = [_OVERVIEW, frozenset({"status"})]
        wanted += [objective_labels(o) for o in spec.objectives if o.kind == "ratio"]
        self.second_tables: dict[Labels, list[pl.DataFrame]] = {
            labels: [] for labels in widest_labels(wanted)
        }
        self.tables = ChunkTables(spec, bounds.first or 0.0, self.second_tables)
        self.windows: dict[str, dict[tuple[str, int], list[int]]] = {}
        self.slices: dict[str, dict[tuple[str, int], list[int]]] = {}
        self.histograms: dict[str, dict[str, FineHistogram]] = {}
        self.recoveries = {
            o.name: RecoveryCounts() for o in spec.objectives if o.kind == "recovery"
        }

    def read_chunks(self) -> None:
        timeline, bounds = self.timeline, self.source.bounds
        if bounds.first is None:
            return
        per_bucket = max(1, bounds.matched // timeline.buckets)
        step = max(1, CHUNK_ROWS // per_bucket)
        bucket = timeline.bucket()

        def read(low: int, high: int) -> pl.DataFrame:
            # a millisecond of margin: a start rounds into its bucket, never a whole one away
            start = bounds.first + low * timeline.width - 1e-3  # type: ignore[operator]
            end = bounds.first + high * timeline.width + 1e-3  # type: ignore[operator]
            rows = self.source.judged(start, end, bucket.is_between(low, high - 1))
            return with_fine_bins(rows.lazy().with_columns(bucket).collect())  # as `packed_groups`

        spans = [
            (low, min(low + step, timeline.buckets)) for low in range(0, timeline.buckets, step)
        ]
        chunks = prefetched(partial(read, low, high) for low, high in spans)
        for (low, high), rows in zip(spans, chunks, strict=True):
            self._count(rows)
            timeline.add(rows, low, high)
            del rows  # before the next read starts: two chunks held at most, not three

    def _count(self, rows: pl.DataFrame) -> None:
        lazy = rows.lazy()
        compact, binned = self.tables.count(rows)
        for labels, tables in self.second_tables.items():
            tables.append(per_second(compact, labels).collect())
        self.timeline.count(compact, binned)
        self.healthy.add(compact, binned)
        for objective in self.spec.objectives:
            if objective.kind == "ratio":
                self._count_ratio(objective, compact)
            elif objective.kind == "latency":
                self._count_latency(objective, binned)
            else:
                self.recoveries[objective.name].add(
                    _picked(lazy, objective).collect(), _picked(compact, objective)
                )

    def _count_ratio(self, objective: Objective, compact: pl.LazyFrame) -> None:
        per = objective.per.value if objective.per is not None else None
        if objective.window_s is not None:
            _sum_into(
                self.windows.setdefault(objective.name, {}),
                counted_in(compact, objective, per, window(objective)),
            )
        if objective.slice_s is not None:
            _sum_into(
                self.slices.setdefault(objective.name, {}),
                counted_in(compact, objective, per, time_slice(objective)),
            )

    def _count_latency(self, objective: Objective, binned: pl.LazyFrame) -> None:
        per = objective.per.value if objective.per is not None else None
        groups = self.histograms.setdefault(objective.name, {})
        if per is None:
            groups.setdefault("", FineHistogram())
        picked = (
            binned.filter(matches(objective.filters)) if not objective.filters.is_empty else binned
        )
        counted = (
            picked.group_by(group_key(per), FINE).agg(pl.col(REQUESTS).sum().alias("n")).collect()
        )
        for (value,), part in counted.partition_by(NO_GROUP, as_dict=True).items():
            histogram = groups.setdefault(group_name(per, value), FineHistogram())
            histogram.add_counts(part[FINE].to_numpy(), part["n"].to_numpy())


def _picked(rows: pl.LazyFrame, objective: Objective) -> pl.LazyFrame:
    return rows.filter(matches(objective.filters)) if not objective.filters.is_empty else rows


def _sum_into(into: dict[tuple[str, int], list[int]], counted: list) -> None:
    for name, key, (hits, total) in counted:
        pair = into.setdefault((name, key), [0, 0])
        pair[0] += hits
        pair[1] += total


def _selected_latencies(
    run: _RunCounts, spec: SloSpec, baseline: BaselineReport | None
) -> dict[str, dict[str, SelectedLatencies]]:
    """Per latency objective and group, what its verdict will read: the ranks `judge_latency`
    asks for and the thresholds it and the baseline comparison count against."""
    selected: dict[str, dict[str, SelectedLatencies]] = {}
    for objective in spec.objectives:
        if objective.kind != "latency":
            continue
        q, into = objective.quantile, selected.setdefault(objective.name, {})
        for group, histogram in run.histograms.get(objective.name, {}).items():
            n = histogram.count
            ranks = [
                *quantile_rank_bounds(n, q, spec.confidence),
                quantile_rank(q, n) if n else None,
            ]
            thresholds = [objective.max_ms] if objective.max_ms is not None else []
            previous = baseline.objectives.get((objective.name, group)) if baseline else None
            if previous is not None and previous.observed is not None:
                thresholds.append(float(previous.observed))
            into[group] = SelectedLatencies(histogram, ranks, thresholds)
    return selected


def _gather(
    source: SegmentSource,
    spec: SloSpec,
    run: _RunCounts,
    latencies: dict[str, dict[str, SelectedLatencies]],
) -> None:
    """The second read: each segment once, keeping the latencies of the wanted bins (of the
    objectives' groups, the timeline's buckets, the healthy cells)."""
    objectives = [o for o in spec.objectives if o.name in latencies]
    columns = {"ts", "latency_ms", *HEALTHY_COLUMNS}
    for objective in objectives:
        columns |= filter_labels(objective.filters)
        columns |= {objective.per.value} if objective.per is not None else set()
    bins = {b for groups in latencies.values() for s in groups.values() for b in s.wanted_bins()}
    bins |= run.timeline.wanted_bins() | run.healthy.wanted_bins()
    # the few requests in a wanted bin, and only those, become a frame, looked at by group
    reads = source.segment_reads(columns, CHUNK_ROWS // 2, in_bins(bins))
    bucket = run.timeline.bucket()
    for segment in prefetched(reads, ahead=2):
        segment = with_fine_bins(segment).lazy().with_columns(bucket).collect()
        run.timeline.gather(segment)
        run.healthy.gather(segment)
        rows = segment.lazy()
        for objective in objectives:
            per = objective.per.value if objective.per is not None else None
            picked = (
                rows.filter(matches(objective.filters)) if not objective.filters.is_empty else rows
            )
            values = picked.select(group_key(per), FINE, "latency_ms").collect()
            for (value,), part in values.partition_by(NO_GROUP, as_dict=True).items():
                found = latencies[objective.name].get(group_name(per, value))
                if found is not None:
                    found.gather(part[FINE].to_numpy(), part["latency_ms"].to_numpy())


def _state(
    objective: Objective,
    counts: SecondCounts,
    run: _RunCounts,
    latencies: dict[str, SelectedLatencies],
) -> ObjectiveState:
    """The objective's state as `accumulators.objective_state` builds it from a whole frame."""
    state = ObjectiveState(objective)
    per = objective.per.value if objective.per is not None else None
    if objective.kind == "recovery":
        state.recovery_groups = run.recoveries[objective.name].groups(objective)
    elif objective.kind == "latency":
        state.latency_groups = latencies  # type: ignore[assignment]
    else:
        table = counts.table(objective_labels(objective))
        state.ratio_groups = _ratio_groups(table.filter(matches(objective.filters)), objective, per)
        for (name, key), (hits, total) in run.windows.get(objective.name, {}).items():
            group = state.ratio_groups[name]
            group.windows = {} if group.windows is None else group.windows
            group.windows[key] = (hits, total)
        for (name, key), (hits, total) in run.slices.get(objective.name, {}).items():
            group = state.ratio_groups[name]
            group.slices = {} if group.slices is None else group.slices
            group.slices[key] = (hits, total)
        if objective.compare_with_phase is not None:
            state.reference_groups = reference_groups(table, objective, per)
    return state
