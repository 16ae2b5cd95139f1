"""'Is this objective decided yet?': the question a runner asks as data arrives.

The answer comes from a confidence sequence (see `confseq`), so a runner may ask after every
request and stop at the first decided answer without voiding the stated confidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from .confseq import ratio_sequence
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
