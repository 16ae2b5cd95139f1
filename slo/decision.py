"""'Is this objective decided yet?': the question a runner asks as data arrives.

Both answers come from confidence sequences (see `confseq`), so a runner may ask after every
request and stop at the first decided answer without voiding the stated confidence.
A latency objective needs only two counters: requests seen and requests at or below the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from .confseq import binomial_count_bounds, ratio_sequence
from .stats import ratio_verdict, samples_to_settle


@dataclass(frozen=True)
class Decision:
    verdict: str  # pass | fail | inconclusive
    more_samples: int | None = None  # further samples likely to settle it; None when decided

    @property
    def decided(self) -> bool:
        return self.verdict != "inconclusive"


def decide_ratio(
    hits: int, n: int, target: float, at_most: bool, confidence: float, min_samples: int = 1
) -> Decision:
    """`hits` of `n` events against `<= target` (at_most) or `>= target`."""
    if n <= 0:
        return Decision("inconclusive", max(min_samples, 1))
    lower, upper = ratio_sequence(hits, n, confidence)
    verdict = ratio_verdict(lower, upper, target, at_most)
    if verdict == "pass" and n < min_samples:
        verdict = "inconclusive"
    if verdict != "inconclusive":
        return Decision(verdict)
    more = samples_to_settle(hits, n, target, at_most, confidence)
    if n < min_samples:
        more = max(more or 0, min_samples - n)
    return Decision(verdict, more)


def decide_latency(
    at_or_below: int, n: int, quantile: float, confidence: float, min_samples: int = 1
) -> Decision:
    """p_quantile <= limit, from the count of samples at or below the limit. It holds once the
    (hi+1)-th smallest sample is within the limit, i.e. at_or_below > hi; it is breached once
    the lo-th smallest is above it, i.e. at_or_below < lo."""
    if n <= 0:
        return Decision("inconclusive", max(min_samples, 1))
    bounds = binomial_count_bounds(n, quantile, confidence)
    verdict = "inconclusive"
    if bounds is not None:
        low, high = bounds
        if high + 1 <= n and at_or_below >= high + 1:
            verdict = "pass"
        elif low >= 1 and at_or_below < low:
            verdict = "fail"
    if verdict == "pass" and n < min_samples:
        verdict = "inconclusive"
    if verdict != "inconclusive":
        return Decision(verdict)
    # the quantile holds exactly when the share slower than the limit is <= 1 - quantile
    more = samples_to_settle(n - at_or_below, n, 1 - quantile, True, confidence)
    if n < min_samples:
        more = max(more or 0, min_samples - n)
    return Decision(verdict, more)
