"""Time to recover, per scenario: when the recovery phase is back to the baseline's success
ratio and p95 latency, and stays there for `stable_for_s`.

Judged from per-second counts, not from requests: for each recovery second, its requests,
its successes, and how many were no slower than the latency ceiling (the baseline's p95 times
the objective's tolerance). A histogram's p95 is the value of the first bucket at which 95%
of the requests are counted, so a window's merged p95 is at or under the ceiling exactly when
95% of its requests fall in buckets at or under it: no per-window histogram is merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .expressions import NO_GROUP
from .latency import P95, CoarseHistogram, last_bucket_within
from .spec import Objective

_NONE = np.zeros(0, dtype=np.int64)


@dataclass
class RecoveryGroup:
    """Baseline reference and per-second recovery counts of one scenario."""

    baseline_success: int = 0
    baseline_total: int = 0
    baseline_latency: CoarseHistogram = field(default_factory=CoarseHistogram)
    recovery_start: float | None = None
    # per recovery second (floored epoch, ascending): requests, successes, and requests in a
    # latency bucket at or under the ceiling
    seconds: np.ndarray = field(default_factory=lambda: _NONE)
    totals: np.ndarray = field(default_factory=lambda: _NONE)
    successes: np.ndarray = field(default_factory=lambda: _NONE)
    fast: np.ndarray = field(default_factory=lambda: _NONE)


def recovery_groups(rows: pl.LazyFrame, objective: Objective) -> dict[str, RecoveryGroup]:
    """Two group-bys: the baseline's counts and latency buckets, which set each scenario's
    latency ceiling; then the recovery phase's counts per second against that ceiling."""
    groups = _baselines(rows)
    _count_recovery(rows, groups, _latency_ceiling(groups, objective))
    return {f"scenario={group}": state for group, state in groups.items()}


_SCENARIO = pl.col("scenario").alias(NO_GROUP)
_SUCCESSES = (pl.col("status") == "success").sum().alias("successes")


def _baselines(rows: pl.LazyFrame) -> dict[str, RecoveryGroup]:
    """Every scenario the objective saw (each gets a verdict, even one without a baseline
    phase), with its baseline phase's counts and latency buckets."""
    seen = rows.select(_SCENARIO.unique())
    baseline = (
        rows.filter(pl.col("phase") == "baseline")
        .group_by(_SCENARIO, "bin")
        .agg(_SUCCESSES, pl.len())
    )
    seen_frame, baseline_frame = pl.collect_all([seen, baseline])
    groups = {group: RecoveryGroup() for group in seen_frame[NO_GROUP]}
    for group, index, success, total in baseline_frame.rows():
        state = groups[group]
        state.baseline_success += success
        state.baseline_total += total
        state.baseline_latency.add(index, total)
    return groups


def _latency_ceiling(groups: dict[str, RecoveryGroup], objective: Objective) -> pl.Expr:
    """Per request, the slowest latency bucket its scenario's recovery may reach
    (baseline p95 x `latency_tolerance`); -1 for a scenario without a baseline."""
    fastest_bin = {
        group: last_bucket_within(p95 * objective.latency_tolerance)
        for group, state in groups.items()
        if (p95 := state.baseline_latency.quantile(P95)) is not None
    }
    # compared on the categorical codes: casting each request's scenario to a string to look it
    # up cost more than the whole group-by
    fastest: pl.Expr = pl.lit(-1)
    for group, bucket in fastest_bin.items():
        fastest = pl.when(pl.col("scenario") == group).then(bucket).otherwise(fastest)
    return fastest


def _count_recovery(rows: pl.LazyFrame, groups: dict[str, RecoveryGroup], fastest: pl.Expr) -> None:
    """The recovery phase's requests, successes and fast answers per second, into `groups`."""
    per_second = (
        rows.filter(pl.col("phase") == "recovery")
        .group_by(_SCENARIO, pl.col("ts").floor().cast(pl.Int64).alias("seconds"))
        .agg(
            _SUCCESSES,
            pl.len().alias("totals"),
            (pl.col("bin") <= fastest).sum().alias("fast"),
            pl.col("ts").min().alias("first"),
        )
        .sort("seconds")
        .collect()
    )
    for (group,), counted in per_second.partition_by(NO_GROUP, as_dict=True).items():
        state = groups[group]
        state.recovery_start = counted["first"].min()  # type: ignore[assignment]
        for name in ("seconds", "totals", "successes", "fast"):
            setattr(state, name, counted[name].to_numpy().astype(np.int64))


def first_recovered_second(state: RecoveryGroup, ratio_floor: float, stable: int) -> int | None:
    """The first second that starts `stable` seconds back to baseline: a success ratio at least
    `ratio_floor` and a p95 at or under the ceiling. Windows start at seconds with requests,
    and only where the run goes on long enough to show the recovery holds."""
    seconds = state.seconds
    if not len(seconds):
        return None
    starts = seconds[seconds + stable - 1 <= seconds[-1]]
    low = np.searchsorted(seconds, starts)
    high = np.searchsorted(seconds, starts + stable)
    totals, successes, fast = (
        _window_sums(counts, low, high) for counts in (state.totals, state.successes, state.fast)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        back = (totals > 0) & (successes / totals >= ratio_floor)
    back &= fast >= np.maximum(1, np.ceil(P95 * totals))
    found = np.flatnonzero(back)
    return int(starts[found[0]]) if len(found) else None


def _window_sums(counts: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    running = np.concatenate([[0], np.cumsum(counts)])
    return running[high] - running[low]
