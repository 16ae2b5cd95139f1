"""The whole run's plot series, computed by the engine: status counts and latency percentiles
per time bucket. At most PLOT_BUCKETS buckets; a longer run gets wider buckets."""

from __future__ import annotations

import polars as pl

from .accumulators import PLOT_BUCKETS
from .latency import CoarseHistogram
from .results import TimeSeries


def timeseries(rows: pl.LazyFrame) -> TimeSeries:
    seconds = rows.select(pl.col("second").unique()).collect().to_series()
    if seconds.is_empty():
        return TimeSeries(
            start=0.0, bucket_s=1.0, status_counts=[], p50_ms=[], p95_ms=[], p99_ms=[]
        )
    shift = 0
    while (seconds // (1 << shift)).n_unique() > PLOT_BUCKETS:
        shift += 1
    width = float(1 << shift)
    # floor(ts / 2**shift) == floor(ts) // 2**shift: the per-second buckets, merged pairwise
    bucket = (pl.col("second") // (1 << shift)).alias("bucket")
    statuses: dict[int, dict[str, int]] = {}
    for key, status, count in (
        rows.group_by(bucket, pl.col("status").cast(pl.String)).len().collect().rows()
    ):
        statuses.setdefault(key, {})[status] = count
    histograms: dict[int, CoarseHistogram] = {}
    for key, index, count in rows.group_by(bucket, "bin").len().collect().rows():
        histograms.setdefault(key, CoarseHistogram()).add(index, count)
    first, last = min(statuses), max(statuses)
    empty = CoarseHistogram()
    keys = range(first, last + 1)
    return TimeSeries(
        start=first * width,
        bucket_s=width,
        status_counts=[dict(sorted(statuses.get(k, {}).items())) for k in keys],
        p50_ms=[histograms.get(k, empty).quantile(0.50) for k in keys],
        p95_ms=[histograms.get(k, empty).quantile(0.95) for k in keys],
        p99_ms=[histograms.get(k, empty).quantile(0.99) for k in keys],
    )
