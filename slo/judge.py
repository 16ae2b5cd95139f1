"""Turn one objective's state into verdicts: the statistics, applied.

Every interval is a confidence sequence (see `confseq`): valid at whatever sample size the
run stopped, including a stop chosen because the verdict looked settled."""

from __future__ import annotations

from .accumulators import RatioGroup
from .confseq import quantile_rank_bounds
from .decision import TOO_FEW, decide, decide_ratio, samples_to_settle
from .formatting import show_percent
from .latency import P95, ExactLatencies, quantile_rank
from .recovery import RecoveryGroup, first_recovered_second
from .results import ObjectiveResult
from .spec import Objective, SloSpec
from .timeslices import judge_slices
from .verdict import Verdict
from .window_verdicts import judge_windows


def judge_ratio(
    objective: Objective, group: str, state: RatioGroup, spec: SloSpec
) -> ObjectiveResult:
    hits, total = state.hits, state.total
    decision = decide_ratio(
        hits, total, objective.target, objective.at_most, spec.confidence, spec.min_samples
    )
    detail = f"{hits}/{total} at {spec.confidence:.0%} confidence"
    if decision.too_few:
        detail += "; " + TOO_FEW.format(spec.min_samples)
    result = ObjectiveResult(
        name=objective.name,
        kind="ratio",
        group=group,
        verdict=decision.verdict,
        target=f"{'<=' if objective.at_most else '>='} {show_percent(objective.target)}",
        threshold=objective.target,
        unit="ratio",
        observed=hits / total if total else None,
        lower=decision.lower,
        upper=decision.upper,
        samples=total,
        hits=hits,
        more_samples=decision.more_samples,
        detail=detail,
    )
    _error_budget(result, objective, state)
    if objective.window_s is not None:
        judge_windows(result, objective, state.windows or {}, spec)
    if objective.slice_s is not None:
        judge_slices(result, objective, state, spec)
    return result


def _error_budget(result: ObjectiveResult, objective: Objective, state: RatioGroup) -> None:
    """Budget = the bad events the target allows; burn rate 1.0 spends it exactly by the end."""
    allowed = objective.target if objective.at_most else 1.0 - objective.target
    if allowed <= 0 or state.total == 0:
        return
    bad = state.hits if objective.at_most else state.total - state.hits
    result.budget_consumed = bad / (allowed * state.total)
    for start, (hits, total) in state.burn:
        bucket_bad = hits if objective.at_most else total - hits
        result.burn_rates.append((start, (bucket_bad / total) / allowed if total else 0.0))


def judge_latency(
    objective: Objective, group: str, recorder: ExactLatencies, spec: SloSpec
) -> ObjectiveResult:
    q, limit, n = objective.quantile, objective.max_ms, recorder.count
    assert limit is not None
    low_rank, high_rank = quantile_rank_bounds(n, q, spec.confidence)
    observed_rank = quantile_rank(q, n) if n else None
    lower, upper, observed = recorder.at_ranks(low_rank, high_rank, observed_rank)
    decision = decide((lower, upper), limit, at_most=True, samples=n, min_samples=spec.min_samples)
    detail = f"{n} samples (exact) at {spec.confidence:.0%} confidence"
    if decision.too_few:
        detail += "; " + TOO_FEW.format(spec.min_samples)
    more = None
    if not decision.decided and n:
        # p_q <= limit exactly when the share of samples slower than limit is <= 1 - q
        slower = recorder.count_above(limit)
        more = samples_to_settle(slower, n, 1 - q, True, spec.confidence)
        more = max(more or 0, spec.min_samples - n) if n < spec.min_samples else more
    return ObjectiveResult(
        name=objective.name,
        kind="latency",
        group=group,
        verdict=decision.verdict,
        target=f"{objective.latency} <= {limit:g} ms",
        threshold=limit,
        unit="ms",
        observed=observed,
        lower=lower,
        upper=upper,
        samples=n,
        quantile=q,
        more_samples=more,
        detail=detail,
    )


def judge_recovery(
    objective: Objective, group: str, state: RecoveryGroup, spec: SloSpec
) -> ObjectiveResult:
    within = objective.recovers_within_s
    assert within is not None
    result = ObjectiveResult(
        name=objective.name,
        kind="recovery",
        group=group,
        verdict=Verdict.INCONCLUSIVE,
        target=f"recovers within {within:g} s",
        threshold=within,
        unit="s",
        observed=None,
        lower=None,
        upper=None,
        samples=int(state.totals.sum()),
    )
    # the latency ceiling, base_p95 x latency_tolerance, is counted in by `recovery_groups`
    base_p95 = state.baseline_latency.quantile(P95)
    if state.baseline_total == 0 or base_p95 is None or state.recovery_start is None:
        result.detail = "needs baseline-phase and recovery-phase observations"
        return result
    base_ratio = state.baseline_success / state.baseline_total
    stable = max(1, round(objective.stable_for_s))
    first = first_recovered_second(state, base_ratio - objective.ratio_tolerance, stable)
    if first is None:
        return _not_recovered(result, state, within, stable)
    took = max(0.0, first - state.recovery_start)
    result.observed = took
    result.verdict = Verdict.of(took <= within)
    result.detail = (
        f"back to baseline (success {base_ratio:.2%} - {objective.ratio_tolerance:.0%}, "
        f"p95 {base_p95:.0f} ms x {objective.latency_tolerance:g}) after {took:.0f} s, "
        f"held {stable} s"
    )
    return result


def _not_recovered(
    result: ObjectiveResult, state: RecoveryGroup, within: float, stable: int
) -> ObjectiveResult:
    """Never back to baseline: a failure once long enough was observed, else too soon to say."""
    assert state.recovery_start is not None
    observed_for = int(state.seconds[-1]) + 1 - state.recovery_start
    if observed_for >= within + stable:
        result.verdict, result.observed = Verdict.FAIL, observed_for
        result.detail = (
            f"not back to baseline within the {observed_for:.0f} s observed after rollback"
        )
    else:
        result.detail = (
            f"only {observed_for:.0f} s observed after rollback; not yet back to baseline"
        )
    return result
