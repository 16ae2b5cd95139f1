"""Latency distributions, as the engine hands them over.

`ExactLatencies` holds one group's latencies as the engine gathered them (8 bytes a request,
no Python objects): percentiles and their order-statistic bounds are exact at any size.
`nearest_rank` is the same percentile as an engine expression, per group (the plotted series).
`CoarseHistogram` is a small sparse log-bucket histogram for per-second percentiles (time to
recover), where an exact sort per second would buy nothing; the engine computes its bucket
index (`coarse_bin`) and counts.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

_GROWTH = 1.04
_FLOOR_MS = 0.01
_LAST_BUCKET = (1 << 15) - 1  # the engine stores bucket indices as 16-bit integers
P95 = 0.95


class ExactLatencies:
    """One group's latencies, in no order (a numpy array of its own, which selection reorders).
    A verdict reads two or three order statistics: they are selected together in linear time
    (introselect), in place, rather than sorting the group or copying it again."""

    def __init__(self, values: np.ndarray) -> None:
        self._values = values
        self.count = len(values)

    def at_ranks(self, *ranks: int | None) -> list[float | None]:
        """The `rank`-th smallest sample (1-based, clamped to the sample) for each rank; None
        for None."""
        indices = {rank: min(max(rank, 1), self.count) - 1 for rank in ranks if rank is not None}
        if not indices:
            return [None for _ in ranks]
        self._values.partition(sorted(set(indices.values())))  # only the order changes
        return [None if rank is None else float(self._values[indices[rank]]) for rank in ranks]

    def count_above(self, threshold_ms: float) -> int:
        """Samples strictly slower than `threshold_ms`."""
        return int(np.count_nonzero(self._values > threshold_ms))


def quantile_rank(q: float, count: int) -> int:
    """The 1-based rank of the sample reported as the `q` quantile of `count` samples."""
    return max(1, math.ceil(q * count))


def nearest_rank(q: float, column: str = "latency_ms") -> pl.Expr:
    """The `q` quantile of `column` in each group, exact: the sample at `quantile_rank(q, n)`,
    the same sample a latency objective reads, so a plotted p95 is a judged p95."""
    rank = (pl.len() * q).ceil().cast(pl.Int64).clip(lower_bound=1)
    return pl.col(column).sort().get(rank - 1)


def coarse_bin(column: str = "latency_ms") -> pl.Expr:
    """The CoarseHistogram bucket index of each latency, computed by the engine."""
    return (pl.col(column).clip(lower_bound=_FLOOR_MS) / _FLOOR_MS).log(_GROWTH).cast(pl.Int64)


class CoarseHistogram:
    """Sparse histogram with ~4% wide log buckets: enough for a plotted percentile line."""

    def __init__(self) -> None:
        self.bins: dict[int, int] = {}
        self.count = 0

    def add(self, index: int, count: int = 1) -> None:
        self.bins[index] = self.bins.get(index, 0) + count
        self.count += count

    def quantile(self, q: float) -> float | None:
        if self.count == 0:
            return None
        needed = max(1, math.ceil(q * self.count))
        running = 0
        for index in sorted(self.bins):
            running += self.bins[index]
            if running >= needed:
                return bucket_value(index)
        return None


def bucket_value(index: int) -> float:
    """The latency a CoarseHistogram reports for a percentile that falls in bucket `index`."""
    return _FLOOR_MS * _GROWTH ** (index + 0.5)


def last_bucket_within(ms: float) -> int:
    """The highest bucket whose reported value is at most `ms` (-1 when none is): a percentile
    is at most `ms` exactly when its share of requests lies in buckets up to this one."""
    within, beyond = -1, _LAST_BUCKET + 1  # bisect on the reported values, which only grow
    while beyond - within > 1:
        middle = (within + beyond) // 2
        try:
            reaches = bucket_value(middle) <= ms
        except OverflowError:  # past the largest float: beyond any latency
            reaches = False
        if reaches:
            within = middle
        else:
            beyond = middle
    return within
