"""Where a measured quantity meets its bound: the one place a ratio or a percentile becomes
pass, fail or inconclusive.

The quantity is known only as an interval, a confidence sequence (see `confseq`), so a
runner may ask "is it decided yet?" after every request and stop at the first decided answer
without voiding the stated confidence. Against a bound it must stay at most (or at least) at:

pass          the whole interval lies on the good side of the bound
fail          the whole interval lies on the bad side
inconclusive  the interval reaches the bound, or an end of it is not known yet (None)

A bound may be uncertain too (a multiple of the baseline's percentile, itself bracketed):
then pass needs the interval on the good side of the whole bound, and fail on the bad side
of the whole bound. A verdict on an observed value (no interval) is the same rule on a
point. Fewer than `min_samples` never pass: the verdict stays inconclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .confseq import ratio_sequence
from .verdict import Verdict

Interval = tuple[float | None, float | None]  # None: that end is not known yet
TOO_FEW = "fewer than min_samples ({}), so never pass"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    lower: float | None = None
    upper: float | None = None
    more_samples: int | None = None  # further samples likely to settle it; None when decided
    too_few: bool = False  # it would pass, but held back by min_samples

    @property
    def decided(self) -> bool:
        return self.verdict.decided


def against_bound(interval: Interval, bound: float | Interval, *, at_most: bool) -> Verdict:
    """The verdict on `interval` against `bound` (a number, or an interval when uncertain):
    the quantity must stay `<= bound` (at_most) or `>= bound`."""
    lower, upper = interval
    bound_low, bound_high = bound if isinstance(bound, tuple) else (bound, bound)
    if at_most:
        held = upper is not None and bound_low is not None and upper <= bound_low
        broken = lower is not None and bound_high is not None and lower > bound_high
    else:
        held = lower is not None and bound_high is not None and lower >= bound_high
        broken = upper is not None and bound_low is not None and upper < bound_low
    return Verdict.PASS if held else Verdict.FAIL if broken else Verdict.INCONCLUSIVE


def decide(
    interval: Interval,
    bound: float | Interval,
    *,
    at_most: bool,
    samples: int,
    min_samples: int = 1,
) -> Decision:
    """`against_bound`, judged on `samples` observations: none decide nothing, and fewer
    than `min_samples` never pass."""
    lower, upper = interval
    if samples <= 0:
        return Decision(Verdict.INCONCLUSIVE, lower, upper)
    verdict = against_bound(interval, bound, at_most=at_most)
    if verdict is Verdict.PASS and samples < min_samples:
        return Decision(Verdict.INCONCLUSIVE, lower, upper, too_few=True)
    return Decision(verdict, lower, upper)


def decide_ratio(
    hits: int, n: int, target: float, at_most: bool, confidence: float, min_samples: int = 1
) -> Decision:
    """`hits` of `n` events against `<= target` (at_most) or `>= target`, with the samples
    likely to settle it when it is not decided."""
    interval = ratio_sequence(hits, n, confidence)
    decision = decide(interval, target, at_most=at_most, samples=n, min_samples=min_samples)
    if decision.decided:
        return decision
    more = samples_to_settle(hits, n, target, at_most, confidence)
    if n < min_samples:
        more = max(more or 0, min_samples - n)
    return replace(decision, more_samples=more)


def samples_to_settle(
    hits: int,
    n: int,
    target: float,
    at_most: bool,
    confidence: float,
    limit: int = 10**9,
) -> int | None:
    """Further samples that would likely settle an inconclusive ratio, assuming the observed
    proportion holds; None when it cannot settle (the observed ratio sits on the target)."""
    if n <= 0:
        return None
    p = hits / n

    def settled(total: int) -> bool:
        found = ratio_sequence(round(p * total), total, confidence)
        return against_bound(found, target, at_most=at_most).decided

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
