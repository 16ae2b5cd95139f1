"""The run's time series built chunk by chunk, the same numbers `timeline.timeline` computes
from the whole run at once.

Chunks come in the order of their buckets, each holding every request that started in its
buckets (`bucket` column, `timeline`'s own bucket rule). A bucket's counts need only its own
requests; its exact percentiles come from a fine histogram per bucket and a second read of the
latencies at the ranks they name (`binned_latencies`). The peak in flight needs more, and is
carried from chunk to chunk: the starts and ends counted so far, and the ends of earlier
requests that may still fall after a later start (`_pending`). An end more than a bucket
before the next chunk's buckets precedes every later start, so it is only counted, not kept.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .binned_latencies import FINE, BinnedGroups
from .latency import quantile_rank
from .second_counts import REQUESTS
from .timeline import (
    QUANTILES,
    STATUSES,
    Timeline,
    _bucket,
    _bucket_index,
    assembled,
    bucket_width,
)

_LEN = pl.DataFrame().select(pl.len()).dtypes[0]  # the type the engine counts in


class StreamedTimeline:
    def __init__(self, first: float | None, last: float | None) -> None:
        self.first = first
        if first is None or last is None:
            self.width, self.buckets = 1.0, 0
            return
        self.width = bucket_width(last - first)
        self.buckets = int(_bucket_index(np.array([last]), first, self.width)[0]) + 1
        self._per_status: list[pl.DataFrame] = []
        self.latencies = BinnedGroups(["bucket"])
        self._wanted = pl.DataFrame()
        self._started = np.zeros(self.buckets, np.int64)
        self._ended = np.zeros(self.buckets + 1, np.int64)
        self._peak = np.zeros(self.buckets, np.int64)
        self._starts_before = 0
        self._ends_done = 0
        self._pending = np.zeros(0)

    def bucket(self) -> pl.Expr:
        """Each request's bucket, by the rule `timeline` applies."""
        assert self.first is not None
        return _bucket(pl.col("ts"), self.first, self.width)

    def count(self, compact: pl.LazyFrame, binned: pl.LazyFrame) -> None:
        """A chunk's requests per bucket and status, and per bucket and fine bin, from its
        tables (`chunk_tables`)."""
        per_status, per_bin = pl.collect_all(
            [
                compact.group_by("bucket", "status")
                .agg(pl.col(REQUESTS).sum().cast(_LEN).alias("n"))
                .with_columns(pl.col("status").cast(pl.String)),
                self.latencies.counted(binned),
            ]
        )
        self._per_status.append(per_status)
        self.latencies.add(per_bin)

    def add(self, rows: pl.DataFrame, low: int, high: int) -> None:
        """The requests of buckets `low` to `high - 1` (ts, latency_ms): their time in
        flight."""
        assert self.first is not None
        # sorted by numpy's stable sort: runs already in order (the ends of a segment's
        # requests, mostly) cost a merge, not a sort
        starts = rows["ts"].to_numpy()
        if not np.all(starts[1:] >= starts[:-1]):  # a run's starts come in order, mostly
            starts = np.sort(starts, kind="stable")
        # the whole-frame timeline's own rule for the time in flight, whatever the frame says
        index = _bucket_index(starts, self.first, self.width)
        ends = rows["ts"].to_numpy() + rows["latency_ms"].to_numpy() / 1000
        ends.sort(kind="stable")
        self._add_in_flight(
            starts,
            index,
            ends,
            _bucket_index(ends, self.first, self.width),
            low,
            high,
        )

    def select(self) -> None:
        """Once every chunk is counted: the bins each bucket's percentiles fall in."""
        self.latencies.select(lambda n: [quantile_rank(q, n) for q in QUANTILES.values()])
        self._wanted = self.latencies.wanted()

    def wanted_bins(self) -> set[int]:
        return set(self._wanted[FINE]) if self._wanted.height else set()

    def gather(self, rows: pl.DataFrame) -> None:
        """The second read: rows with their bucket and fine bin."""
        self.latencies.gather(rows, self._wanted)

    def _add_in_flight(
        self,
        starts: np.ndarray,
        index: np.ndarray,
        ends: np.ndarray,
        end_index: np.ndarray,
        low: int,
        high: int,
    ) -> None:
        """Sorted starts and ends of the chunk's requests, with their buckets."""
        assert self.first is not None
        buckets = self.buckets
        self._started += np.bincount(index, None, buckets)
        self._ended += np.bincount(np.minimum(end_index, buckets), None, buckets + 1)
        # every start and end before bucket `high` is counted now: later requests start after
        carried = np.concatenate([[0], np.cumsum(self._started - self._ended[:buckets])[:-1]])
        self._peak[low:high] = carried[low:high]
        ended = np.concatenate([self._pending, ends])
        if len(self._pending):
            ended.sort(kind="stable")
        if len(starts):
            level = (
                self._starts_before
                + np.arange(1, len(starts) + 1)
                - (self._ends_done + _ends_up_to(ended, starts))
            )
            runs = np.flatnonzero(np.concatenate([[True], index[1:] != index[:-1]]))
            np.maximum.at(self._peak, index[runs], np.maximum.reduceat(level, runs))
        self._starts_before += len(starts)
        done = int(np.searchsorted(ended, self.first + (high - 1) * self.width, "left"))
        self._ends_done += done
        self._pending = ended[done:]

    def timeline(self) -> Timeline:
        if self.first is None:
            return Timeline(0.0, 1.0, STATUSES, pl.DataFrame())
        per_status = pl.concat(self._per_status)
        chosen = sorted(self.latencies.selected.items())
        counts = [c.count for _, c in chosen]
        percentiles = [
            c.at_ranks(*(quantile_rank(q, c.count) for q in QUANTILES.values())) for _, c in chosen
        ]
        per_bucket = pl.DataFrame(
            {
                "bucket": pl.Series([key for (key,), _ in chosen], dtype=pl.Int64),
                "requests": pl.Series(counts, dtype=_LEN),
                **{
                    name: pl.Series([p[i] for p in percentiles], dtype=pl.Float64)
                    for i, name in enumerate(QUANTILES)
                },
            }
        )
        return assembled(self.first, self.width, self.buckets, per_status, per_bucket, self._peak)


_BLOCK = 1 << 16


def _ends_up_to(ended: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """`np.searchsorted(ended, starts, "right")` of sorted starts, a block of starts at a time
    within the part of `ended` they span: the searches stay in cache (a third faster)."""
    found = np.empty(len(starts), dtype=np.int64)
    for low in range(0, len(starts), _BLOCK):
        block = starts[low : low + _BLOCK]
        first, last = np.searchsorted(ended, [block[0], block[-1]], "right")
        found[low : low + _BLOCK] = first + np.searchsorted(ended[first:last], block, "right")
    return found
