"""Sliding-window verdicts of a ratio objective, every window at once.

A window of `window_s` steps a tenth of its length (WINDOW_RESOLUTION fine buckets) and is
judged on its own confidence sequence. A run of an hour holds over a thousand windows; finding
each window's interval by root search cost more than reading the file, so the windows' sums
come from cumulative counts and each verdict from the sign of the sequence's test statistic
at the target, which decides the same thing without finding the interval:

- the interval is {p : log M_n(p) < level}, log M_n convex with its minimum inside it, so the
  target lies above the upper end exactly when it lies above hits/n and log M_n(target) >=
  level, and likewise below the lower end;
- the interval's ends are root searches with a tolerance; where the target is within that
  tolerance of an end (or at 0 or 1), the window is judged by the very same root search, so
  every verdict agrees with `ratio_sequence` to the last digit.

Only the worst window's interval is reported, and only it is searched for.
"""

from __future__ import annotations

import math

import numpy as np

from .accumulators import WINDOW_RESOLUTION, Counts
from .confseq import EDGE, log_mixture, ratio_sequence, threshold
from .decision import against_bound, decide
from .results import ObjectiveResult
from .spec import Objective, SloSpec
from .verdict import Verdict

# brentq's ends are within 1e-15 + 1e-13 of the root; the statistic's slope is at most
# n / min(p, 1 - p), so a window whose statistic is further than this from the level is
# decided on the same side as the root search decides it
_ROOT_SLACK = 1e-11


def judge_windows(
    result: ObjectiveResult, objective: Objective, buckets: dict[int, Counts], spec: SloSpec
) -> None:
    """Overwrite the whole-run verdict of `result` with the sliding windows' one. A window
    counts as breached only when its interval lies wholly outside the bound."""
    assert objective.window_s is not None
    if not buckets:
        return
    hits, totals = window_counts(buckets)
    verdicts = ratio_verdicts(hits, totals, objective.target, objective.at_most, spec.confidence)
    badness = hits / totals if objective.at_most else 1 - hits / totals
    worst = int(np.argmax(badness))  # the first of equally bad windows, as reported before
    worst_hits, worst_total = int(hits[worst]), int(totals[worst])
    required = objective.windows_required
    count = len(verdicts)
    passed = int((verdicts == Verdict.PASS).sum())
    breached = int((verdicts == Verdict.FAIL).sum())
    # the share of windows that hold lies between those decided passing and those not
    # breached: the same rule as any other interval against its bound
    shares = (passed / count, (count - breached) / count)
    result.verdict = decide(
        shares, required, at_most=False, samples=result.samples, min_samples=spec.min_samples
    ).verdict
    result.lower, result.upper = ratio_sequence(worst_hits, worst_total, spec.confidence)
    result.observed = worst_hits / worst_total
    result.more_samples = None
    result.detail = (
        f"{count} windows of {objective.window_s:g}s: {passed} pass, {breached} breached, "
        f"{count - passed - breached} inconclusive; need {required:.0%} passing; "
        f"worst window {worst_hits}/{worst_total}"
    )


def window_counts(buckets: dict[int, Counts]) -> tuple[np.ndarray, np.ndarray]:
    """(hits, total) of every whole window that holds a request, in the order of their start.
    A window hanging over the run's edge holds too few requests to judge, so whole ones only."""
    keys = np.array(sorted(buckets), dtype=np.int64)
    counts = np.array([buckets[k] for k in keys.tolist()], dtype=np.int64).reshape(-1, 2)
    first, last = int(keys[0]), int(keys[-1])
    last_start = max(first, last - WINDOW_RESOLUTION + 1)
    # a window holds a request exactly when it starts at most WINDOW_RESOLUTION - 1 buckets
    # before a bucket that has one
    starts = np.unique((keys[:, None] - np.arange(WINDOW_RESOLUTION)).ravel())
    starts = starts[(starts >= first) & (starts <= last_start)]
    running = np.vstack([np.zeros((1, 2), dtype=np.int64), np.cumsum(counts, axis=0)])
    inside = running[np.searchsorted(keys, starts + WINDOW_RESOLUTION)]
    inside -= running[np.searchsorted(keys, starts)]
    return inside[:, 0], inside[:, 1]


def ratio_verdicts(
    hits: np.ndarray, totals: np.ndarray, target: float, at_most: bool, confidence: float
) -> np.ndarray:
    """`against_bound(ratio_sequence(h, n), target)` for every (h, n), at once: an array of
    `Verdict` values."""
    near = min(target, 1.0 - target)
    if near <= 1e-9:  # a target at 0 or 1: the statistic's slope is unbounded there
        return _searched(hits, totals, target, at_most, confidence, np.arange(len(hits)))
    level = threshold(confidence)
    centre = hits / totals
    at_edge = log_mixture(hits, totals, EDGE) - level
    at_top = log_mixture(hits, totals, math.nextafter(1.0, 0.0)) - level
    at_target = log_mixture(hits, totals, target) - level
    has_lower, has_upper = (hits > 0) & (at_edge > 0), (hits < totals) & (at_top > 0)
    below, above = has_lower & (target < centre), has_upper & (target > centre)
    if at_most:  # pass: upper <= target; fail: lower > target
        passed, failed = above & (at_target >= 0), below & (at_target > 0)
    else:  # pass: lower >= target; fail: upper < target
        passed, failed = below & (at_target >= 0), above & (at_target > 0)
    verdicts = np.where(passed, Verdict.PASS, np.where(failed, Verdict.FAIL, Verdict.INCONCLUSIVE))
    slack = _ROOT_SLACK * totals / near
    close = np.abs(at_target) <= slack
    close |= (np.abs(at_edge) <= _ROOT_SLACK) | (np.abs(at_top) <= _ROOT_SLACK)
    verdicts[close] = _searched(hits, totals, target, at_most, confidence, np.flatnonzero(close))
    return verdicts


def _searched(
    hits: np.ndarray,
    totals: np.ndarray,
    target: float,
    at_most: bool,
    confidence: float,
    indices: np.ndarray,
) -> np.ndarray:
    """The verdicts of the windows at `indices`, by the interval's own root search."""
    verdicts = [
        against_bound(
            ratio_sequence(int(hits[i]), int(totals[i]), confidence), target, at_most=at_most
        )
        for i in indices.tolist()
    ]
    return np.array(verdicts, dtype="<U12")
