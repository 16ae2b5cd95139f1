"""A phase's share of a status against the same run's baseline share: pure.

Both shares are known only as the suite's confidence sequences (`slo.confseq`), each at half
the error rate so that the pair holds at the stated confidence. The phase's share must stay
at least the baseline's share less `max_drop`, and the bound is uncertain as the baseline is:

    pass          the phase's lower end >= the baseline's upper end - max_drop
    fail          the phase's upper end <  the baseline's lower end - max_drop
    inconclusive  otherwise: too few requests on either side, or a drop near the margin

So a system that answers 80 % `success` when healthy and still 80 % under abuse holds, a
drop from 99 % to 40 % fails, and a drop the samples cannot tell from noise is never a fail.
"""

from __future__ import annotations

from collections.abc import Mapping

from scenarios.spec.expectations import StatusDrop
from slo import Judgement, Verdict
from slo.confseq import ratio_sequence
from slo.decision import decide

__all__ = ["baseline_share_bracketed", "judge_share_vs_baseline"]

Counts = Mapping[str, int]  # requests per status


def _each_side(confidence: float) -> float:
    return 1 - (1 - confidence) / 2


def _share(counts: Counts, status: str, confidence: float) -> tuple[int, int, float, float]:
    hits, n = counts.get(status, 0), sum(counts.values())
    low, high = ratio_sequence(hits, n, _each_side(confidence))
    return hits, n, low, high


def judge_share_vs_baseline(
    drop: StatusDrop, phase: Counts, baseline: Counts, confidence: float
) -> Judgement:
    """`phase` and `baseline`: the scenario's own requests sent into each, by status."""
    if not sum(baseline.values()):
        return Judgement(Verdict.INCONCLUSIVE, "no baseline request to compare with")
    status = str(drop.status)
    hits, n, low, high = _share(phase, status, confidence)
    b_hits, b_n, b_low, b_high = _share(baseline, status, confidence)
    allowed = (b_low - drop.max_drop, b_high - drop.max_drop)
    decision = decide((low, high), allowed, at_most=False, samples=n)
    detail = (
        f"{status} {hits}/{n} in [{low:.0%}, {high:.0%}] vs baseline {b_hits}/{b_n} in "
        f"[{b_low:.0%}, {b_high:.0%}]; at most {drop.max_drop:.0%} lower at {confidence:.0%}"
    )
    if not decision.decided:
        detail += "; more samples needed"
    return Judgement(decision.verdict, detail)


def baseline_share_bracketed(drop: StatusDrop, baseline: Counts, confidence: float) -> bool:
    """True once the baseline's share is known within half the margin, enough to judge the
    phases compared with it (the baseline phase runs until it is, or out of its budget)."""
    if not sum(baseline.values()):
        return False
    _, _, low, high = _share(baseline, str(drop.status), confidence)
    return high - low <= drop.max_drop / 2
