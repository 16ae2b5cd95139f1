"""The run split by one column (intent or tenant): requests, their statuses and p50/p95/p99
per value, with the same percentile as the timeline and the objectives (`nearest_rank`)."""

from __future__ import annotations

import polars as pl

from .latency import nearest_rank
from .timeline import QUANTILES, STATUSES

MAX_BREAKDOWN = 30  # values shown (the busiest); a chart of more is unreadable


def breakdown(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Per value of `column`: requests, one count per status, p50/p95/p99, for the
    MAX_BREAKDOWN busiest values. Empty when the column is absent or holds a single value
    (a breakdown of one says nothing)."""
    if column not in frame.columns:
        return pl.DataFrame()
    present = frame.filter(pl.col(column).cast(pl.String) != "")
    if present[column].n_unique() < 2:
        return pl.DataFrame()
    seen = set(present["status"].cast(pl.String).unique())
    statuses = STATUSES + tuple(sorted(seen - set(STATUSES)))
    return (
        present.group_by(column)
        .agg(
            pl.len().alias("requests"),
            *[(pl.col("status") == status).sum().alias(status) for status in statuses],
            *[nearest_rank(q).alias(name) for name, q in QUANTILES.items()],
        )
        .with_columns(pl.col(column).cast(pl.String))  # sorted as text, not as stored
        .sort(["requests", column], descending=[True, False])
        .head(MAX_BREAKDOWN)
        .sort(column)
    )
