"""Pure statistics for the gate: critical values and the two-proportion test. No I/O, no
state.

The intervals are the confidence sequences of `confseq` (valid under continuous monitoring);
`decision` weighs them against their bounds."""

from __future__ import annotations

import math
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()


def z_for_confidence(confidence: float) -> float:
    """Two-sided critical value: 0.95 -> 1.96."""
    return _STANDARD_NORMAL.inv_cdf(1.0 - (1.0 - confidence) / 2.0)


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
