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

from vocabulary import Observation, Phase

from .accumulators import ObjectiveState, objective_state
from .baseline import BaselineReport, compare_latency, compare_ratio, compare_ratio_with_phase
from .expressions import matches
from .frame import Paths, Reader, expand, frame_of, is_segment, read_frame
from .healthy import HealthyCell, healthy_cells
from .healthy_regression import HealthyComparison
from .judge import judge_latency, judge_ratio, judge_recovery
from .results import Evaluation, ObjectiveResult
from .second_counts import REQUESTS, SecondCounts, objective_labels
from .spec import Objective, SloSpec
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
    files = expand(paths)
    if files and all(is_segment(f) for f in files):
        from .streamed_evaluation import evaluate_segments  # it builds on this module

        streamed = evaluate_segments(files, spec, baseline=baseline)
        if streamed is not None:
            return streamed
    # intent and source: the healthy phase is summarised per scenario and intent, attacks out
    frame = read_frame(files, spec, reader, extra=("intent", "source"))
    return evaluate_frame(frame, spec, baseline=baseline)


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
    status_totals = totals_by_status(counts.table(by_status))
    phases = set(rows.select(pl.col("phase").unique()).collect().to_series().cast(pl.String))
    scenarios = tuple(
        sorted(rows.select(pl.col("scenario").cast(pl.String).unique()).collect().to_series())
    )
    healthy = healthy_cells(frame.lazy())
    comparison = compared_with_baseline(baseline, scenarios, healthy, spec)
    # a run that observed nothing is undecided throughout, not "no data"
    no_data = {
        o.name: reason for o in spec.objectives if matched and (reason := _no_data(o, phases))
    }
    results = [
        result
        for objective in spec.objectives
        if objective.name not in no_data
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
        no_data=no_data,
        scenarios=scenarios,
        healthy=healthy,
        healthy_comparison=comparison,
    )


def totals_by_status(statuses: pl.LazyFrame) -> dict[str, int]:
    """Requests per status, from a per-second table counted by status."""
    return dict(
        statuses.group_by(pl.col("status").cast(pl.String))
        .agg(pl.col(REQUESTS).sum())
        .sort("status")
        .collect()
        .rows()
    )


def compared_with_baseline(
    baseline: BaselineReport | None,
    scenarios: tuple[str, ...],
    healthy: tuple[HealthyCell, ...],
    spec: SloSpec,
) -> HealthyComparison | None:
    """This run's healthy phase against the baseline's (refused for another workload; none
    when the baseline report predates healthy-phase summaries)."""
    if baseline is None:
        return None
    baseline.check_same_workload(scenarios)
    return baseline.compare_healthy(healthy, spec.confidence)


def _no_data(objective: Objective, phases: set[str]) -> str:
    """Why an objective has nothing to judge because of the run's shape, not its behaviour:
    it judges phases the run never had (a burst objective over a run without bursts, a
    recovery time where no fault was rolled back). Such an objective reads "no data":
    neither inconclusive nor failed."""
    if objective.recovers_within_s is not None and Phase.RECOVERY not in phases:
        return "the run had no recovery phase: no fault was rolled back"
    wanted = objective.filters.phase
    if not wanted or phases & {str(phase) for phase in wanted}:
        return ""
    names = ", ".join(str(phase) for phase in wanted)
    return f"the run had no {names} phase" if len(wanted) == 1 else f"the run had no {names} phases"


def _judge(
    state: ObjectiveState, spec: SloSpec, baseline: BaselineReport | None
) -> list[ObjectiveResult]:
    objective = state.objective
    results = [
        *_judge_ratios(state, spec, baseline),
        *_judge_latencies(state, spec, baseline),
        *(
            judge_recovery(objective, group, recovery, spec)
            for group, recovery in sorted(state.recovery_groups.items())
        ),
    ]
    # nothing matched: say so rather than silently dropping the objective
    return results or [_unmatched(objective, spec)]


def _judge_ratios(
    state: ObjectiveState, spec: SloSpec, baseline: BaselineReport | None
) -> list[ObjectiveResult]:
    """Each group's ratio, against its bound, the baseline report and the reference phase."""
    objective, results = state.objective, []
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
    return results


def _judge_latencies(
    state: ObjectiveState, spec: SloSpec, baseline: BaselineReport | None
) -> list[ObjectiveResult]:
    """Each group's latency percentile, against its bound and the baseline report."""
    objective, results = state.objective, []
    for group, latencies in sorted(state.latency_groups.items()):
        result = judge_latency(objective, group, latencies, spec)
        previous = baseline.objectives.get((objective.name, group)) if baseline else None
        if previous is not None:
            compare_latency(result, latencies, previous, spec.confidence)
        results.append(result)
    return results


def _unmatched(objective: Objective, spec: SloSpec) -> ObjectiveResult:
    return ObjectiveResult(
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
