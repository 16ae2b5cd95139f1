"""Pure statistics for the gate: verdicts from an interval, settling sample sizes and the
two-proportion test. No I/O, no state.

The intervals themselves are the confidence sequences of `confseq` (valid under continuous
monitoring)."""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist

from .confseq import ratio_sequence

_STANDARD_NORMAL = NormalDist()


def z_for_confidence(confidence: float) -> float:
    """Two-sided critical value: 0.95 -> 1.96."""
    return _STANDARD_NORMAL.inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def ratio_verdict(lower: float, upper: float, target: float, at_most: bool) -> str:
    """'pass' when the whole interval meets the target, 'fail' when none of it does."""
    if at_most:
        if upper <= target:
            return "pass"
        return "fail" if lower > target else "inconclusive"
    if lower >= target:
        return "pass"
    return "fail" if upper < target else "inconclusive"


def samples_to_settle(
    hits: int,
    n: int,
    target: float,
    at_most: bool,
    confidence: float,
    limit: int = 10**9,
    interval: Callable[[int, int, float], tuple[float, float]] = ratio_sequence,
) -> int | None:
    """Further samples that would likely settle an inconclusive ratio, assuming the observed
    proportion holds; None when it cannot settle (the observed ratio sits on the target).
    Settled by the gate's confidence sequence unless another `interval` is given."""
    if n <= 0:
        return None
    p = hits / n

    def settled(total: int) -> bool:
        lo, hi = interval(round(p * total), total, confidence)
        return ratio_verdict(lo, hi, target, at_most) != "inconclusive"

    if settled(n):
        return 0
    high = n
    while not settled(high):
        high *= 2
        if high > limit:
            return None
    low = high // 2
    while high - low > 1:  # settled(high) holds, settled(low) does not
        mid = (low + high) // 2
        if settled(mid):
            high = mid
        else:
            low = mid
    return high - n


def two_proportion_worse(
    hits_new: int, n_new: int, hits_old: int, n_old: int, confidence: float
) -> tuple[bool, float]:
    """One-sided pooled two-proportion z-test that the new proportion is larger.

    Returns (significantly larger, p-value). "Larger" is "worse": callers pass the
    proportion of bad events.
    """
    if n_new <= 0 or n_old <= 0:
        return False, 1.0
    p_new, p_old = hits_new / n_new, hits_old / n_old
    pooled = (hits_new + hits_old) / (n_new + n_old)
    variance = pooled * (1 - pooled) * (1 / n_new + 1 / n_old)
    if variance <= 0:
        return False, 1.0
    z = (p_new - p_old) / math.sqrt(variance)
    p_value = 1.0 - _STANDARD_NORMAL.cdf(z)
    return p_value < (1.0 - confidence), p_value
