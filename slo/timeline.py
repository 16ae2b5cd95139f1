"""The whole run's plot series, computed by the engine: status counts and latency percentiles
per time bucket. At most PLOT_BUCKETS buckets; a longer run gets wider buckets."""

from __future__ import annotations

import polars as pl

from .accumulators import PLOT_BUCKETS
from .latency import CoarseHistogram
from .results import TimeSeries
from .second_counts import REQUESTS, SECOND, second


def timeseries(rows: pl.LazyFrame, statuses: pl.LazyFrame) -> TimeSeries:
    """`statuses`: requests per second and status (a table of `SecondCounts`)."""
    seconds = statuses.select(pl.col(SECOND).unique()).collect().to_series()
    if seconds.is_empty():
        return TimeSeries(
            start=0.0, bucket_s=1.0, status_counts=[], p50_ms=[], p95_ms=[], p99_ms=[]
        )
    shift = 0
    while (seconds // (1 << shift)).n_unique() > PLOT_BUCKETS:
        shift += 1
    width = float(1 << shift)
    # floor(ts / 2**shift) == floor(ts) // 2**shift: the per-second buckets, merged pairwise
    per_status = statuses.group_by(
        (pl.col(SECOND) // (1 << shift)).alias("bucket"), pl.col("status").cast(pl.String)
    ).agg(pl.col(REQUESTS).sum())
    counts: dict[int, dict[str, int]] = {}
    for key, status, count in per_status.collect().rows():
        counts.setdefault(key, {})[status] = count
    bucket = (second() // (1 << shift)).alias("bucket")
    histograms: dict[int, CoarseHistogram] = {}
    for key, index, count in rows.group_by(bucket, "bin").len().collect().rows():
        histograms.setdefault(key, CoarseHistogram()).add(index, count)
    first, last = min(counts), max(counts)
    empty = CoarseHistogram()
    keys = range(first, last + 1)
    return TimeSeries(
        start=first * width,
        bucket_s=width,
        status_counts=[dict(sorted(counts.get(k, {}).items())) for k in keys],
        p50_ms=[histograms.get(k, empty).quantile(0.50) for k in keys],
        p95_ms=[histograms.get(k, empty).quantile(0.95) for k in keys],
        p99_ms=[histograms.get(k, empty).quantile(0.99) for k in keys],
    )
