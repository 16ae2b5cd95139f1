"""`evaluate`: one streaming pass over observations, then verdicts. Memory is bounded by the
number of objectives, groups and time buckets, not by the number of observations."""

from __future__ import annotations

from collections.abc import Iterable

from vocabulary import Observation

from .accumulators import ObjectiveAccumulator
from .baseline import BaselineReport, compare_latency, compare_ratio, compare_ratio_with_phase
from .judge import judge_latency, judge_ratio, judge_recovery
from .results import Evaluation, ObjectiveResult, TimeSeries
from .series import CompactingSeries, StatusBucket
from .spec import SloSpec

PLOT_BUCKETS = 120


def evaluate(
    observations: Iterable[Observation], spec: SloSpec, *, baseline: BaselineReport | None = None
) -> Evaluation:
    accumulators = [ObjectiveAccumulator(objective) for objective in spec.objectives]
    timeline: CompactingSeries[StatusBucket] = CompactingSeries(
        StatusBucket, StatusBucket.merge, max_buckets=PLOT_BUCKETS
    )
    status_totals: dict[str, int] = {}
    read = matched = 0
    started: float | None = None
    ended: float | None = None
    matches = None if spec.filters.is_empty else spec.filters.matches
    for obs in observations:
        read += 1
        if matches is not None and not matches(obs):
            continue
        matched += 1
        started = obs.ts if started is None or obs.ts < started else started
        ended = obs.ts if ended is None or obs.ts > ended else ended
        status_totals[obs.status] = status_totals.get(obs.status, 0) + 1
        bucket = timeline.at(obs.ts)
        bucket.statuses[obs.status] = bucket.statuses.get(obs.status, 0) + 1
        bucket.latency.record(obs.latency_ms)
        for accumulator in accumulators:
            accumulator.add(obs)
    results = [
        result for accumulator in accumulators for result in _judge(accumulator, spec, baseline)
    ]
    return Evaluation(
        spec=spec,
        results=results,
        timeseries=_timeseries(timeline),
        observations=read,
        matched=matched,
        started=started,
        ended=ended,
        status_totals=status_totals,
        baseline_source=baseline.source if baseline else "",
    )


def _judge(
    accumulator: ObjectiveAccumulator, spec: SloSpec, baseline: BaselineReport | None
) -> list[ObjectiveResult]:
    objective = accumulator.objective
    results: list[ObjectiveResult] = []
    for group, ratio in sorted(accumulator.ratio_groups.items()):
        result = judge_ratio(objective, group, ratio, spec)
        previous = baseline.objectives.get((objective.name, group)) if baseline else None
        if previous is not None:
            compare_ratio(result, objective.at_most, previous, spec.confidence)
        reference = accumulator.reference_groups.get(group)
        if reference is not None and objective.compare_with_phase is not None:
            compare_ratio_with_phase(
                result,
                objective.at_most,
                reference,
                objective.compare_with_phase.value,
                spec.confidence,
            )
        results.append(result)
    for group, recorder in sorted(accumulator.latency_groups.items()):
        result = judge_latency(objective, group, recorder, spec)
        previous = baseline.objectives.get((objective.name, group)) if baseline else None
        if previous is not None:
            compare_latency(result, recorder, previous, spec.confidence)
        results.append(result)
    for group, recovery in sorted(accumulator.recovery_groups.items()):
        results.append(judge_recovery(objective, group, recovery, spec))
    if not results:  # nothing matched: say so rather than silently dropping the objective
        results.append(
            ObjectiveResult(
                name=objective.name,
                kind=objective.kind,
                group="",
                verdict="inconclusive",
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


def _timeseries(timeline: CompactingSeries[StatusBucket]) -> TimeSeries:
    items = timeline.items()
    if not items:
        return TimeSeries(
            start=0.0, bucket_s=timeline.width_s, status_counts=[], p50_ms=[], p95_ms=[], p99_ms=[]
        )
    first_start = items[0][0]
    count = round((items[-1][0] - first_start) / timeline.width_s) + 1
    by_index = {round((start - first_start) / timeline.width_s): bucket for start, bucket in items}
    empty = StatusBucket()
    buckets = [by_index.get(i, empty) for i in range(count)]
    return TimeSeries(
        start=first_start,
        bucket_s=timeline.width_s,
        status_counts=[dict(b.statuses) for b in buckets],
        p50_ms=[b.latency.quantile(0.50) for b in buckets],
        p95_ms=[b.latency.quantile(0.95) for b in buckets],
        p99_ms=[b.latency.quantile(0.99) for b in buckets],
    )
