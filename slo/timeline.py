"""The run's time series, computed once by the engine for every report: per time bucket, the
requests of each status, requests per second, the peak of requests in flight, and the
p50/p95/p99 latency.

One bucket rule: buckets start at the first request, and their width is the narrowest of
NICE_BUCKETS_S (widths a reader can count in) that keeps the run within MAX_BUCKETS. One
percentile: the exact nearest rank the latency objectives read (`latency.quantile_rank`).
report.json carries the counts and percentiles (`Timeline.series()`); the HTML plots them all,
so the two reports of one run show the same numbers.

Observations carry no count of users. What is called "in flight" is derived: a request is in
flight from its `ts` to `ts + latency_ms`, and each bucket shows the peak number of requests
in flight at once. Under a closed-loop load (each user waits for its answer) that is the
number of users busy at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .latency import ExactLatencies, quantile_rank
from .results import TimeSeries

STATUSES = ("success", "partial", "degraded", "failed")
QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
NICE_BUCKETS_S = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_BUCKETS = 150
_CHUNK = 1 << 20
_PASS_BUCKETS = 16


@dataclass(frozen=True)
class Timeline:
    """One row per bucket from the first request on: `bucket` (its index), `t_s` (its start,
    seconds from `start`), one count column per status, `requests`, `rps`, `in_flight`, and
    p50/p95/p99 in ms (null where a bucket had no request, so a chart shows a gap)."""

    start: float
    bucket_s: float
    statuses: tuple[str, ...]
    rows: pl.DataFrame

    def series(self) -> TimeSeries:
        """The same buckets as report.json holds them: per bucket the statuses seen (sorted,
        with their counts) and the percentiles."""
        if self.rows.is_empty():
            return TimeSeries(self.start, self.bucket_s, [], [], [], [])
        counts = self.rows.select(sorted(self.statuses)).iter_rows(named=True)
        return TimeSeries(
            start=self.start,
            bucket_s=self.bucket_s,
            status_counts=[{s: n for s, n in bucket.items() if n} for bucket in counts],
            p50_ms=self.rows["p50"].to_list(),
            p95_ms=self.rows["p95"].to_list(),
            p99_ms=self.rows["p99"].to_list(),
        )


def bucket_width(span_s: float) -> float:
    for width in NICE_BUCKETS_S:
        if span_s / width <= MAX_BUCKETS:
            return float(width)
    return float(NICE_BUCKETS_S[-1])


def timeline(rows: pl.LazyFrame | pl.DataFrame) -> Timeline:
    """The series of `rows` (ts, status, latency_ms: the observations the SLO file judges)."""
    rows = rows.lazy()
    first, last = rows.select(pl.col("ts").min(), pl.col("ts").max().alias("last")).collect().row(0)
    if first is None:
        return Timeline(0.0, 1.0, STATUSES, pl.DataFrame())
    width = bucket_width(last - first)
    bucket = _bucket(pl.col("ts"), first, width)
    # one after another, each freed before the next: at 20M requests, collected together
    # they held as much again as the frame itself
    per_status = (  # grouped by the status as stored (categorical), named as text once grouped
        rows.group_by(bucket, "status")
        .agg(pl.len().alias("n"))
        .with_columns(pl.col("status").cast(pl.String))
        .collect()
    )
    buckets = int(_bucket_index(np.array([last]), first, width)[0]) + 1
    per_bucket = _requests_and_percentiles(rows, bucket, buckets)
    starts = _sorted(rows.select("ts"))
    ends = _sorted(rows.select(pl.col("ts") + pl.col("latency_ms") / 1000))
    in_flight = _in_flight(starts, ends, first, width, buckets)
    return assembled(first, width, buckets, per_status, per_bucket, in_flight)


def assembled(
    first: float,
    width: float,
    buckets: int,
    per_status: pl.DataFrame,
    per_bucket: pl.DataFrame,
    in_flight: np.ndarray,
) -> Timeline:
    """The timeline from its parts: requests per bucket and status (`n`, the status as text),
    requests and percentiles per bucket that had any, the peak in flight of every bucket."""
    statuses = STATUSES + tuple(sorted(set(per_status["status"]) - set(STATUSES)))
    counts = per_status.group_by("bucket").agg(
        *[pl.col("n").filter(pl.col("status") == s).sum().alias(s) for s in statuses]
    )
    every = pl.DataFrame({"bucket": range(buckets), "in_flight": in_flight})
    table = (
        every.with_columns(pl.col("bucket").cast(pl.Int64))
        .join(counts, on="bucket", how="left")
        .join(per_bucket, on="bucket", how="left")
        .sort("bucket")
        .with_columns(pl.col(*statuses, "requests").fill_null(0))
        .with_columns(
            (pl.col("bucket") * width).alias("t_s"),
            (pl.col("requests") / width).alias("rps"),
        )
    )
    return Timeline(first, width, statuses, table)


def _requests_and_percentiles(rows: pl.LazyFrame, bucket: pl.Expr, buckets: int) -> pl.DataFrame:
    """Per bucket: requests, p50, p95, p99. A few buckets' latencies are gathered at a time,
    never the whole run's at once."""
    return pl.concat(
        _with_percentiles(
            rows.filter(bucket.is_between(low, low + _PASS_BUCKETS - 1))
            .group_by(bucket)
            .agg(pl.len().alias("requests"), pl.col("latency_ms"))
            .collect()
        )
        for low in range(0, buckets, _PASS_BUCKETS)
    )


def _with_percentiles(per_bucket: pl.DataFrame) -> pl.DataFrame:
    """Each bucket's exact p50/p95/p99 from its gathered latencies: the samples at the ranks
    a latency objective reads, selected together in linear time rather than sorted."""
    percentiles: dict[str, list[float | None]] = {name: [] for name in QUANTILES}
    for latencies in per_bucket["latency_ms"]:
        group = ExactLatencies(latencies.to_numpy(writable=True))
        ranks = [quantile_rank(q, group.count) for q in QUANTILES.values()]
        for name, value in zip(QUANTILES, group.at_ranks(*ranks), strict=True):
            percentiles[name].append(value)
    return per_bucket.drop("latency_ms").with_columns(
        pl.Series(name, values, pl.Float64) for name, values in percentiles.items()
    )


def _bucket(ts: pl.Expr, start: float, width: float) -> pl.Expr:
    return ((ts - start) / width).floor().cast(pl.Int64).alias("bucket")


def _sorted(column: pl.LazyFrame) -> np.ndarray:
    """A column as a numpy array of its own, sorted in place: one copy, not two."""
    values = column.collect().to_series().to_numpy(writable=True)
    values.sort()
    return values


def _in_flight(
    start_at: np.ndarray, end_at: np.ndarray, start: float, width: float, buckets: int
) -> np.ndarray:
    """Per bucket: the peak number of requests in flight at once while it lasted. From the
    sorted starts and ends, not a sort of every event: the level just after a start at `t` is
    the starts up to `t` less the ends up to `t` (an end before a start at the same instant,
    so back-to-back requests do not overlap), and a bucket's peak is the highest such level
    inside it, or the level carried in from before it, whichever is higher."""
    started, ended = np.zeros(buckets, np.int64), np.zeros(buckets + 1, np.int64)
    for low in range(0, len(start_at), _CHUNK):  # a chunk at a time: memory stays small
        started += np.bincount(
            _bucket_index(start_at[low : low + _CHUNK], start, width), None, buckets
        )
        ends_in = np.minimum(_bucket_index(end_at[low : low + _CHUNK], start, width), buckets)
        ended += np.bincount(ends_in, None, buckets + 1)
    carried = np.concatenate([[0], np.cumsum(started - ended[:buckets])[:-1]])
    peak = carried.copy()
    for low in range(0, len(start_at), _CHUNK):
        chunk = start_at[low : low + _CHUNK]
        level = np.arange(low + 1, low + len(chunk) + 1) - np.searchsorted(end_at, chunk, "right")
        index = _bucket_index(chunk, start, width)  # sorted: each bucket's starts are a run
        first = np.flatnonzero(np.concatenate([[True], index[1:] != index[:-1]]))
        np.maximum.at(peak, index[first], np.maximum.reduceat(level, first))
    return peak


def _bucket_index(at: np.ndarray, start: float, width: float) -> np.ndarray:
    # the same arithmetic as `_bucket`, so an instant falls in the same bucket either way
    return np.floor((at - start) / width).astype(np.int64)
