"""Confidence sequences: intervals that stay valid however often they are looked at.

A fixed-n interval (Wilson, the normal order-statistic ranks) covers the truth with its
confidence only when it is computed once, at a sample size chosen in advance. A gate that
checks as data arrives and stops once the verdict looks settled would void that. These
intervals hold for every n at once, so stopping whenever they settle is valid.

Ratios: Robbins' beta-binomial mixture. M_n(p) = (mixture likelihood of the hits under a
Beta(1/2, 1/2) prior) / (likelihood under p) is a nonnegative martingale when p is true, so
by Ville's inequality P(some n has M_n(p) >= 1/alpha) <= alpha. The sequence is
{p : M_n(p) < 1/alpha}, an interval because log M_n is convex in p.

Quantiles (Howard and Ramdas): the count S_n of samples at or below the true q-quantile is
a Binomial(n, q) sum, so the same mixture bounds it for every n: lo_n <= S_n <= hi_n. Then the
lo_n-th smallest sample is at or below the quantile and the (hi_n + 1)-th is above it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import betaln, xlog1py, xlogy

PRIOR = 0.5  # Beta(1/2, 1/2): Jeffreys; spreads the mixture's mass towards 0 and 1, where SLOs live
EDGE = 1e-300  # the least p a lower end is searched from


def log_mixture(hits: np.ndarray | float, n: np.ndarray | float, p: float) -> np.ndarray | float:
    """log M_n(p); vectorised over hits and n (the coverage test checks it at every step)."""
    return (
        betaln(PRIOR + hits, PRIOR + n - hits)
        - betaln(PRIOR, PRIOR)
        - xlogy(hits, p)
        - xlog1py(n - hits, -p)
    )


def threshold(confidence: float) -> float:
    return math.log(1.0 / (1.0 - confidence))


def ratio_sequence(hits: int, n: int, confidence: float) -> tuple[float, float]:
    """The confidence sequence for a binomial proportion at sample size n; (0, 1) without data."""
    if n <= 0:
        return 0.0, 1.0
    level, centre = threshold(confidence), hits / n

    def excess(p: float) -> float:
        return float(log_mixture(hits, n, p)) - level

    lower = 0.0
    if hits > 0 and excess(EDGE) > 0:
        lower = brentq(excess, EDGE, centre, xtol=1e-15, rtol=1e-13)
    upper = 1.0
    top = math.nextafter(1.0, 0.0)
    if hits < n and excess(top) > 0:
        upper = brentq(excess, centre, top, xtol=1e-15, rtol=1e-13)
    return lower, upper


def binomial_count_bounds(n: int, q: float, confidence: float) -> tuple[int, int] | None:
    """The smallest and largest count of hits out of n that the sequence for p = q admits;
    None when it admits none (only for degenerate q)."""
    level = threshold(confidence)

    def excess(s: float) -> float:
        return float(log_mixture(s, n, q)) - level

    centre = min(max(n * q, 0.0), float(n))
    if excess(centre) >= 0:
        return None
    low = 0 if excess(0) < 0 else math.floor(brentq(excess, 0.0, centre)) + 1
    high = n if excess(n) < 0 else math.ceil(brentq(excess, centre, float(n))) - 1
    # the roots are of a continuous extension; settle the integers exactly
    while low <= high and excess(low) >= 0:
        low += 1
    while low > 0 and excess(low - 1) < 0:
        low -= 1
    while high >= low and excess(high) >= 0:
        high -= 1
    while high < n and excess(high + 1) < 0:
        high += 1
    return low, high


def quantile_rank_bounds(
    n: int, quantile: float, confidence: float
) -> tuple[int | None, int | None]:
    """1-based ranks of the sorted sample whose values bracket the `quantile` for every n at
    once. None means the sample cannot bound that side yet (e.g. the top of a p99 from 50)."""
    if n <= 0:
        return None, None
    bounds = binomial_count_bounds(n, quantile, confidence)
    if bounds is None:
        return None, None
    low, high = bounds
    return (low if low >= 1 else None), (high + 1 if high + 1 <= n else None)
