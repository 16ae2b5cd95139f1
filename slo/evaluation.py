"""`evaluate`: observations in, verdicts out, on a columnar engine.

The observations become a polars frame (read from segments or JSON lines by
`evaluate_files`, or built from records already in memory by `evaluate`); every count, split,
window, percentile and recovery curve is a group-by over it (see `accumulators`, `timeline`),
or over the per-second counts taken from it once (`second_counts`). Python judges only the
small results. Memory is the frame's: a few bytes per observation, no Python object each.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from vocabulary import Observation

from .accumulators import ObjectiveState, objective_state
from .baseline import BaselineReport, compare_latency, compare_ratio, compare_ratio_with_phase
from .expressions import matches
from .frame import Paths, Reader, frame_of, read_frame
from .judge import judge_latency, judge_ratio, judge_recovery
from .results import Evaluation, ObjectiveResult
from .second_counts import REQUESTS, SecondCounts, objective_labels
from .spec import SloSpec
from .timeline import timeline
from .verdict import Verdict


def evaluate(
    observations: Iterable[Observation], spec: SloSpec, *, baseline: BaselineReport | None = None
) -> Evaluation:
    """Evaluate records already in memory (for files, `evaluate_files` is much faster)."""
    return evaluate_frame(frame_of(observations, spec), spec, baseline=baseline)


def evaluate_files(
    paths: Paths,
    spec: SloSpec,
    *,
    baseline: BaselineReport | None = None,
    reader: Reader = "duckdb",
) -> Evaluation:
    """Evaluate recorded observations: a folder of segments, segment or JSON-lines files, a
    glob, or a list of any of them (`reader` picks the JSON-lines reader). A bad line or an
    unreadable segment raises ObservationFileError naming its file."""
    return evaluate_frame(read_frame(paths, spec, reader), spec, baseline=baseline)


def evaluate_frame(
    frame: pl.DataFrame, spec: SloSpec, *, baseline: BaselineReport | None = None
) -> Evaluation:
    rows = frame.lazy()
    if not spec.filters.is_empty:
        rows = rows.filter(matches(spec.filters))
    summary = rows.select(
        pl.len().alias("matched"), pl.col("ts").min().alias("first"), pl.col("ts").max()
    ).collect()
    matched, started, ended = summary.row(0)
    by_status = frozenset({"status"})  # the status totals
    ratios = [objective_labels(o) for o in spec.objectives if o.kind == "ratio"]
    counts = SecondCounts(rows, [by_status, *ratios])
    statuses = counts.table(by_status)
    status_totals = dict(
        statuses.group_by(pl.col("status").cast(pl.String))
        .agg(pl.col(REQUESTS).sum())
        .sort("status")
        .collect()
        .rows()
    )
    results = [
        result
        for objective in spec.objectives
        for result in _judge(objective_state(rows, objective, counts), spec, baseline)
    ]
    return Evaluation(
        spec=spec,
        results=results,
        timeline=timeline(rows),
        observations=frame.height,
        matched=matched,
        started=started,
        ended=ended,
        status_totals=status_totals,
        baseline_source=baseline.source if baseline else "",
    )


def _judge(
    state: ObjectiveState, spec: SloSpec, baseline: BaselineReport | None
) -> list[ObjectiveResult]:
    objective = state.objective
    results: list[ObjectiveResult] = []
    for group, ratio in sorted(state.ratio_groups.items()):
        result = judge_ratio(objective, group, ratio, spec)
        previous = baseline.objectives.get((objective.name, group)) if baseline else None
        if previous is not None:
            compare_ratio(result, objective.at_most, previous, spec.confidence)
        reference = state.reference_groups.get(group)
        if reference is not None and objective.compare_with_phase is not None:
            compare_ratio_with_phase(
                result,
                objective.at_most,
                reference,
                objective.compare_with_phase.value,
                spec.confidence,
            )
        results.append(result)
    for group, latencies in sorted(state.latency_groups.items()):
        result = judge_latency(objective, group, latencies, spec)
        previous = baseline.objectives.get((objective.name, group)) if baseline else None
        if previous is not None:
            compare_latency(result, latencies, previous, spec.confidence)
        results.append(result)
    for group, recovery in sorted(state.recovery_groups.items()):
        results.append(judge_recovery(objective, group, recovery, spec))
    if not results:  # nothing matched: say so rather than silently dropping the objective
        results.append(
            ObjectiveResult(
                name=objective.name,
                kind=objective.kind,
                group="",
                verdict=Verdict.INCONCLUSIVE,
                target="",
                threshold=0.0,
                unit="",
                observed=None,
                lower=None,
                upper=None,
                samples=0,
                more_samples=spec.min_samples,
                detail="no observation matched this objective's filters",
            )
        )
    return results
