"""The run's time series, computed once by the engine for every report: per time bucket, the
requests of each status, requests per second, the peak of requests in flight, and the
p50/p95/p99 latency.

One bucket rule: buckets start at the first request, and their width is the narrowest of
NICE_BUCKETS_S (widths a reader can count in) that keeps the run within MAX_BUCKETS. One
percentile: the exact nearest rank the latency objectives read (`latency.nearest_rank`).
report.json carries the counts and percentiles (`Timeline.series()`); the HTML plots them all,
so the two reports of one run show the same numbers.

Observations carry no count of users. What is called "in flight" is derived: a request is in
flight from its `ts` to `ts + latency_ms`, and each bucket shows the peak number of requests
in flight at once. Under a closed-loop load (each user waits for its answer) that is the
number of users busy at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .latency import nearest_rank
from .results import TimeSeries

STATUSES = ("success", "partial", "degraded", "failed")
QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
NICE_BUCKETS_S = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_BUCKETS = 150


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
    per_status, per_bucket, in_flight = pl.collect_all(
        [
            # grouped by the status as stored (categorical), named as text once grouped
            rows.group_by(bucket, "status")
            .agg(pl.len().alias("n"))
            .with_columns(pl.col("status").cast(pl.String)),
            rows.group_by(bucket).agg(
                pl.len().alias("requests"),
                *[nearest_rank(q).alias(name) for name, q in QUANTILES.items()],
            ),
            _in_flight(rows, first, width),
        ]
    )
    statuses = STATUSES + tuple(sorted(set(per_status["status"]) - set(STATUSES)))
    counts = per_status.group_by("bucket").agg(
        *[pl.col("n").filter(pl.col("status") == s).sum().alias(s) for s in statuses]
    )
    every = pl.DataFrame({"bucket": range(int(per_bucket["bucket"].max()) + 1)})  # type: ignore[arg-type]
    table = (
        every.cast(pl.Int64)
        .join(counts, on="bucket", how="left")
        .join(per_bucket, on="bucket", how="left")
        .join(in_flight, on="bucket", how="left")
        .sort("bucket")
        .with_columns(pl.col(*statuses, "requests").fill_null(0))
        .with_columns(
            (pl.col("bucket") * width).alias("t_s"),
            (pl.col("requests") / width).alias("rps"),
            _carried_peak().alias("in_flight"),
        )
        .drop("peak", "last")
    )
    return Timeline(first, width, statuses, table)


def _bucket(ts: pl.Expr, start: float, width: float) -> pl.Expr:
    return ((ts - start) / width).floor().cast(pl.Int64).alias("bucket")


def _in_flight(rows: pl.LazyFrame, start: float, width: float) -> pl.LazyFrame:
    """Per bucket: the peak level of requests in flight reached by an event inside it, and
    the level after its last event (carried into buckets with no event)."""
    starts = rows.select(pl.col("ts").alias("at"), pl.lit(1, pl.Int32).alias("step"))
    ends = rows.select(
        (pl.col("ts") + pl.col("latency_ms") / 1000).alias("at"), pl.lit(-1, pl.Int32).alias("step")
    )
    events = (
        pl.concat([starts, ends])
        .sort(["at", "step"])  # an end before a start at the same instant: no false overlap
        .with_columns(pl.col("step").cum_sum().alias("level"))
        .with_columns(_bucket(pl.col("at"), start, width))
    )
    return events.group_by("bucket").agg(
        pl.col("level").max().alias("peak"), pl.col("level").last().alias("last")
    )


def _carried_peak() -> pl.Expr:
    carried = pl.col("last").forward_fill().shift(1).fill_null(0)
    return pl.max_horizontal(pl.col("peak").fill_null(carried), carried)
