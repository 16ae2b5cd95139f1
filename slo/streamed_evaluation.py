"""`evaluate_segments`: the evaluation of recorded segments, read a span of the run at a time.

The same verdicts as `evaluation.evaluate_frame` over the whole frame, with memory that does
not grow with the run: every count, split and series is mergeable, so it is taken chunk by
chunk (a chunk is a few of the timeline's buckets) and summed; a latency percentile is exact
from a fine histogram and a second read of the few latencies its ranks fall among
(`exact_ranks`). Three reads in all: the timestamps (`segment_source`), the chunks, and, for
latency objectives, the latencies once more.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from .accumulators import (
    WINDOW_RESOLUTION,
    ObjectiveState,
    _counted_by,
    _ratio_groups,
    reference_groups,
)
from .baseline import BaselineReport
from .confseq import quantile_rank_bounds
from .evaluation import _judge, _no_data, compared_with_baseline, totals_by_status
from .exact_ranks import FineHistogram, SelectedLatencies, fine_bin
from .expressions import group_key, group_name, matches
from .healthy import HealthyCell, healthy_cells, healthy_rows
from .latency import quantile_rank
from .recovery_stream import RecoveryCounts
from .results import Evaluation
from .second_counts import (
    Labels,
    SecondCounts,
    count_per_second,
    filter_labels,
    objective_labels,
    widest_labels,
)
from .segment_source import SegmentSource
from .spec import Objective, SloSpec
from .timeline_stream import StreamedTimeline

CHUNK_ROWS = 2_000_000  # requests held at once, about: a chunk is at least one bucket
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
    healthy = _healthy(source)
    comparison = compared_with_baseline(baseline, scenarios, healthy, spec)
    matched = source.bounds.matched
    no_data = {o.name: why for o in spec.objectives if matched and (why := _no_data(o, phases))}
    latencies = _selected_latencies(run, spec, baseline)
    _gather(source, spec, latencies)
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


def _healthy(source: SegmentSource) -> tuple[HealthyCell, ...]:
    """The healthy phase's summary, read a segment at a time: only its rows are kept."""
    columns = ("scenario", "intent", "source", "phase", "status", "latency_ms")
    kept = [healthy_rows(rows.lazy()).collect() for rows in source.each_segment(columns)]
    kept = [rows for rows in kept if rows.height]
    if not kept:
        return ()
    return healthy_cells(pl.concat(kept, how="vertical_relaxed").lazy())


class _RunCounts:
    """Everything counted from the chunks, merged."""

    def __init__(self, spec: SloSpec, source: SegmentSource) -> None:
        self.spec, self.source = spec, source
        bounds = source.bounds
        self.timeline = StreamedTimeline(bounds.first, bounds.last)
        wanted = [_OVERVIEW, frozenset({"status"})]
        wanted += [objective_labels(o) for o in spec.objectives if o.kind == "ratio"]
        self.second_tables: dict[Labels, list[pl.DataFrame]] = {
            labels: [] for labels in widest_labels(wanted)
        }
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
        for low in range(0, timeline.buckets, step):
            high = min(low + step, timeline.buckets)
            # a millisecond of margin: a start rounds into its bucket, never a whole one away
            start = bounds.first + low * timeline.width - 1e-3
            end = bounds.first + high * timeline.width + 1e-3
            rows = self.source.judged(start, end, bucket.is_between(low, high - 1))
            rows = rows.with_columns(bucket)
            self._count(rows)
            timeline.add(rows, low, high)

    def _count(self, rows: pl.DataFrame) -> None:
        lazy = rows.lazy()
        for labels, tables in self.second_tables.items():
            tables.append(count_per_second(lazy, labels).collect())
        for objective in self.spec.objectives:
            picked = (
                lazy.filter(matches(objective.filters)) if not objective.filters.is_empty else lazy
            )
            if objective.kind == "ratio":
                self._count_ratio(objective, picked)
            elif objective.kind == "latency":
                self._count_latency(objective, picked)
            else:
                self.recoveries[objective.name].add(picked)

    def _count_ratio(self, objective: Objective, rows: pl.LazyFrame) -> None:
        per = objective.per.value if objective.per is not None else None
        if objective.window_s is not None:
            width = objective.window_s / WINDOW_RESOLUTION
            index = (pl.col("ts") / width).floor().cast(pl.Int64).alias("bucket")
            _sum_into(
                self.windows.setdefault(objective.name, {}),
                _counted_by(rows, objective, per, index),
            )
        if objective.slice_s is not None:
            origin = self.source.bounds.first
            index = (
                ((pl.col("ts") - origin) / objective.slice_s).floor().cast(pl.Int64).alias("slice")
            )
            _sum_into(
                self.slices.setdefault(objective.name, {}), _counted_by(rows, objective, per, index)
            )

    def _count_latency(self, objective: Objective, rows: pl.LazyFrame) -> None:
        per = objective.per.value if objective.per is not None else None
        groups = self.histograms.setdefault(objective.name, {})
        if per is None:
            groups.setdefault("", FineHistogram())
        gathered = rows.group_by(group_key(per)).agg(pl.col("latency_ms")).collect()
        pairs = zip(gathered["group"].to_list(), gathered["latency_ms"], strict=True)
        for value, latencies in pairs:
            histogram = groups.setdefault(group_name(per, value), FineHistogram())
            histogram.add(fine_bin(latencies.to_numpy()))


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
    source: SegmentSource, spec: SloSpec, latencies: dict[str, dict[str, SelectedLatencies]]
) -> None:
    """The second read: each segment once, keeping the latencies of the wanted bins."""
    objectives = [o for o in spec.objectives if o.name in latencies]
    if not objectives:
        return
    columns = {"latency_ms"}
    for objective in objectives:
        columns |= filter_labels(objective.filters)
        columns |= {objective.per.value} if objective.per is not None else set()
    for segment in source.each_segment(columns):
        rows = segment.lazy()
        for objective in objectives:
            per = objective.per.value if objective.per is not None else None
            picked = (
                rows.filter(matches(objective.filters)) if not objective.filters.is_empty else rows
            )
            values = picked.select(group_key(per), "latency_ms").collect()
            for (value,), part in values.partition_by("group", as_dict=True).items():
                found = latencies[objective.name].get(group_name(per, value))
                if found is not None:
                    latency = part["latency_ms"].to_numpy()
                    found.gather(fine_bin(latency), latency)


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
