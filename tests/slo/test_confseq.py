"""Confidence sequences: coverage under continuous monitoring, measured by simulation.

Each simulated run is checked at every step; a run misses when the truth leaves the interval
at ANY step. The observed miss rate must stay within alpha plus three Monte Carlo standard
errors. The same monitoring breaks the fixed-n Wilson interval, which is why the gate moved.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from slo.confseq import (
    binomial_count_bounds,
    log_mixture,
    quantile_rank_bounds,
    ratio_sequence,
    threshold,
)
from slo.decision import decide_ratio
from slo.stats import z_for_confidence

RUNS, STEPS, CONFIDENCE = 10_000, 500, 0.95
ALPHA = 1 - CONFIDENCE
ALLOWED = ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / RUNS)


def _monitored_hits(p: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    hits = np.cumsum(rng.random((RUNS, STEPS)) < p, axis=1)
    return hits, np.arange(1, STEPS + 1)


@pytest.mark.parametrize("p", [0.01, 0.2, 0.5])
def test_ratio_sequence_covers_under_continuous_monitoring(p: float) -> None:
    hits, n = _monitored_hits(p, seed=20261201)
    # p lies outside the sequence exactly when M_n(p) >= 1/alpha
    missed = (log_mixture(hits, n, p) >= threshold(CONFIDENCE)).any(axis=1)
    assert missed.mean() <= ALLOWED


def test_monitoring_a_fixed_n_wilson_interval_misses_far_more_than_alpha() -> None:
    p = 0.2
    hits, n = _monitored_hits(p, seed=7)
    z = z_for_confidence(CONFIDENCE)
    phat = hits / n
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    missed = ((centre - half > p) | (centre + half < p)).any(axis=1)
    assert missed.mean() > 3 * ALPHA


def test_ratio_sequence_bounds_are_the_set_the_martingale_admits() -> None:
    rng = np.random.default_rng(3)
    level = threshold(CONFIDENCE)
    for _ in range(300):
        n = int(rng.integers(1, 5000))
        hits = int(rng.binomial(n, rng.random()))
        lower, upper = ratio_sequence(hits, n, CONFIDENCE)
        assert lower <= hits / n <= upper
        for p in rng.random(5):
            inside = lower < p < upper
            near_edge = min(abs(p - lower), abs(p - upper)) < 1e-9
            assert near_edge or inside == (log_mixture(hits, n, p) < level)


@pytest.mark.parametrize("quantile", [0.5, 0.95])
def test_quantile_sequence_covers_under_continuous_monitoring(quantile: float) -> None:
    rng = np.random.default_rng(99)
    samples = rng.exponential(50.0, size=(RUNS, STEPS))
    true_quantile = -50.0 * math.log(1 - quantile)
    at_or_below = np.cumsum(samples <= true_quantile, axis=1)
    low = np.zeros(STEPS, dtype=np.int64)
    high = np.zeros(STEPS, dtype=np.int64)
    for index in range(STEPS):
        low[index], high[index] = binomial_count_bounds(index + 1, quantile, CONFIDENCE)
    # lo-th smallest <= q-quantile  <=>  at least lo samples <= it; the (hi+1)-th smallest is
    # above it  <=>  at most hi samples <= it. A miss at any step counts.
    missed = ((at_or_below < low) | (at_or_below > high)).any(axis=1)
    assert missed.mean() <= ALLOWED


def test_quantile_ranks_bracket_the_true_quantile_on_sorted_samples() -> None:
    rng = np.random.default_rng(5)
    n, quantile, covered = 400, 0.9, 0
    true_quantile = -math.log(1 - quantile)
    low, high = quantile_rank_bounds(n, quantile, CONFIDENCE)
    assert low is not None and high is not None
    for _ in range(2000):
        ordered = np.sort(rng.exponential(1.0, n))
        covered += ordered[low - 1] <= true_quantile <= ordered[high - 1]
    assert covered / 2000 >= CONFIDENCE


def test_a_tiny_sample_cannot_bound_a_p99_from_above() -> None:
    assert quantile_rank_bounds(50, 0.99, CONFIDENCE)[1] is None


def test_decisions_settle_once_the_evidence_is_in_and_say_how_much_is_missing() -> None:
    early = decide_ratio(3, 100, 0.05, True, CONFIDENCE)
    assert not early.decided and early.more_samples
    later = decide_ratio(
        round(0.03 * (100 + early.more_samples)), 100 + early.more_samples, 0.05, True, CONFIDENCE
    )
    assert later.verdict == "pass"
    assert decide_ratio(40, 200, 0.05, True, CONFIDENCE).verdict == "fail"
    assert decide_ratio(999, 1000, 0.99, False, CONFIDENCE, min_samples=2000).verdict == (
        "inconclusive"
    )
