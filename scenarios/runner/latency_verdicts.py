"""Latency expectations judged with confidence sequences for quantiles: pure.

A percentile of a sample is bracketed by two order statistics whose ranks come from
`slo.confseq.quantile_rank_bounds`; the bracket stays valid however often it is looked at,
so a runner may stop a phase the moment the verdict below is decided.

Against the baseline, both sides are uncertain: the phase's percentile holds when its upper
bound is within `max_ratio` x the baseline's lower bound, and is breached when its lower
bound exceeds `max_ratio` x the baseline's upper bound. Each side is bracketed at half the
error rate, so the pair holds at the stated confidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from scenarios.spec.expectations import AddedLatencyBound, PercentileBound, RelativeLatencyBound
from slo import Judgement, Verdict
from slo.confseq import quantile_rank_bounds
from slo.decision import decide

TIGHT_BASELINE = 2.0  # upper / lower bound of the baseline's percentile, to stop measuring it


def bracket(
    sorted_ms: Sequence[float], quantile: float, confidence: float
) -> tuple[float | None, float | None]:
    """Lower and upper bound of the `quantile` of the population `sorted_ms` was drawn from;
    None for a side the sample cannot bound yet."""
    low, high = quantile_rank_bounds(len(sorted_ms), quantile, confidence)
    return (
        sorted_ms[low - 1] if low is not None else None,
        sorted_ms[high - 1] if high is not None else None,
    )


def judge_percentile(
    bound: PercentileBound, sorted_ms: Sequence[float], confidence: float
) -> Judgement:
    if not sorted_ms:
        return Judgement(Verdict.INCONCLUSIVE, "no request observed")
    low, high = bracket(sorted_ms, bound.percentile / 100, confidence)
    name = f"p{bound.percentile:g}"
    detail = (
        f"{name} in [{_ms(low)}, {_ms(high)}] of {len(sorted_ms)} (bound {bound.max_ms:.0f} ms)"
    )
    decision = decide((low, high), bound.max_ms, at_most=True, samples=len(sorted_ms))
    if not decision.decided:
        detail += "; more samples needed"
    return Judgement(decision.verdict, detail)


def judge_vs_baseline(
    bound: RelativeLatencyBound | AddedLatencyBound,
    phase_ms: Sequence[float],
    baseline_ms: Sequence[float],
    confidence: float,
) -> Judgement:
    """The phase's percentile against the baseline's: at most `max_ratio` times it, or at
    most `max_added_ms` above it (an added cost is judged alike on a fast system and a slow
    one; a ratio punishes the fast one)."""
    if not baseline_ms:
        return Judgement(Verdict.INCONCLUSIVE, "no baseline request to compare with")
    each_side = 1 - (1 - confidence) / 2
    quantile = bound.percentile / 100
    p_low, p_high = bracket(phase_ms, quantile, each_side)
    b_low, b_high = bracket(baseline_ms, quantile, each_side)
    # the bound is uncertain too: the baseline's bracket, times the ratio or plus the cost
    if isinstance(bound, AddedLatencyBound):
        allowed = (_plus(bound.max_added_ms, b_low), _plus(bound.max_added_ms, b_high))
        limit = f"+{bound.max_added_ms:.0f} ms"
    else:
        allowed = (_times(bound.max_ratio, b_low), _times(bound.max_ratio, b_high))
        limit = f"{bound.max_ratio:g}x"
    name = f"p{bound.percentile:g}"
    detail = (
        f"{name} in [{_ms(p_low)}, {_ms(p_high)}] of {len(phase_ms)} vs baseline {name} in "
        f"[{_ms(b_low)}, {_ms(b_high)}] of {len(baseline_ms)}; bound {limit} at {confidence:.0%}"
    )
    decision = decide((p_low, p_high), allowed, at_most=True, samples=len(phase_ms))
    if not decision.decided:
        detail += "; more samples needed on the open side"
    return Judgement(decision.verdict, detail)


def baseline_bracketed(
    bound: RelativeLatencyBound | AddedLatencyBound,
    baseline_ms: Sequence[float],
    confidence: float,
) -> bool:
    """True once the baseline's percentile is bracketed tightly enough to judge the phases
    compared with it: within a factor of TIGHT_BASELINE for a ratio, within half the
    allowance for an added latency (the baseline phase runs until it is, or out of budget)."""
    low, high = bracket(baseline_ms, bound.percentile / 100, 1 - (1 - confidence) / 2)
    if low is None or high is None:
        return False
    if isinstance(bound, AddedLatencyBound):
        return high - low <= bound.max_added_ms / 2
    return high <= TIGHT_BASELINE * low


def _plus(added: float, value: float | None) -> float | None:
    return None if value is None else value + added


def _times(factor: float, value: float | None) -> float | None:
    return None if value is None else factor * value


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"
