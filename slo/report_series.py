"""The HTML report's plot series, computed with polars from the observations file(s).

The evaluation keeps only what its verdicts need; the plots want more (requests per second,
requests in flight, a breakdown per intent and per tenant), so they read the observations
again, columnar, and apply the SLO file's filters so the charts show what was judged.

Observations carry no count of users. What the charts call "in flight" is derived: a request
is in flight from its `ts` to `ts + latency_ms`, and each bucket shows the peak number of
requests in flight at once. Under a closed-loop load (each user waits for its answer) that
is the number of users busy at that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .spec import Filters

STATUSES = ("success", "partial", "degraded", "failed")
QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
# Bucket widths a reader can count in; the narrowest that keeps a run under MAX_BUCKETS wins.
NICE_BUCKETS_S = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_BUCKETS = 150
MAX_BREAKDOWN = 30  # values of a breakdown shown (the busiest); a chart of more is unreadable

_SCHEMA = {
    "ts": pl.Float64,
    "status": pl.String,
    "latency_ms": pl.Float64,
    "scenario": pl.String,
    "phase": pl.String,
    "tenant": pl.String,
    "intent": pl.String,
    "source": pl.String,
}
_FILTERED = ("scenario", "phase", "tenant", "intent", "source")


@dataclass(frozen=True)
class Timeline:
    """One row per bucket from the first request on: `t_s` (bucket start, seconds from
    `start`), one count column per status, `requests`, `rps`, `in_flight`, and p50/p95/p99
    in ms (null where a bucket had no request, so a chart shows a gap)."""

    start: float
    bucket_s: float
    statuses: tuple[str, ...]
    rows: pl.DataFrame


def read_frame(paths: Sequence[Path], filters: Filters | None = None) -> pl.DataFrame:
    """The observations the plots need, one row per request, filtered like the evaluation."""
    frames = [
        pl.read_ndjson(path, schema=_SCHEMA) for path in paths if Path(path).stat().st_size > 0
    ]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=_SCHEMA)
    frame = frame.with_columns(  # a field left out of a line takes the record's default
        pl.col("phase").fill_null("baseline"),
        pl.col("source").fill_null("scenario"),
        pl.col("scenario", "tenant", "intent").fill_null(""),
    )
    for column in _FILTERED if filters is not None else ():
        allowed = getattr(filters, column)
        if allowed is not None:
            frame = frame.filter(pl.col(column).is_in([str(value) for value in allowed]))
    return frame


def bucket_width(span_s: float) -> float:
    for width in NICE_BUCKETS_S:
        if span_s / width <= MAX_BUCKETS:
            return float(width)
    return float(NICE_BUCKETS_S[-1])


def timeline(frame: pl.DataFrame) -> Timeline:
    if frame.is_empty():
        return Timeline(0.0, 1.0, STATUSES, pl.DataFrame())
    start = float(frame["ts"].min())  # type: ignore[arg-type]
    span = float(frame["ts"].max()) - start  # type: ignore[arg-type]
    width = bucket_width(span)
    statuses = STATUSES + tuple(sorted(set(frame["status"].unique()) - set(STATUSES)))
    bucketed = frame.with_columns(_bucket(pl.col("ts"), start, width))
    per_bucket = bucketed.group_by("bucket").agg(
        *[(pl.col("status") == status).sum().alias(status) for status in statuses],
        pl.len().alias("requests"),
        *[
            pl.col("latency_ms").quantile(q, interpolation="linear").alias(name)
            for name, q in QUANTILES.items()
        ],
    )
    buckets = int(bucketed["bucket"].max()) + 1  # type: ignore[arg-type]
    every = pl.DataFrame({"bucket": range(buckets)}, schema={"bucket": pl.Int64})
    rows = (
        every.join(per_bucket, on="bucket", how="left")
        .join(_in_flight(frame, start, width), on="bucket", how="left")
        .sort("bucket")
        .with_columns(pl.col(*statuses, "requests").fill_null(0))
        .with_columns(
            (pl.col("bucket") * width).alias("t_s"),
            (pl.col("requests") / width).alias("rps"),
            _carried_peak().alias("in_flight"),
        )
        .drop("peak", "last")
    )
    return Timeline(start, width, statuses, rows)


def breakdown(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Per value of `column` (intent, tenant): requests, one count per status, p50/p95/p99,
    for the MAX_BREAKDOWN busiest values. Empty when the column holds a single value (a
    breakdown of one says nothing)."""
    present = frame.filter(pl.col(column) != "")
    if present[column].n_unique() < 2:
        return pl.DataFrame()
    statuses = STATUSES + tuple(sorted(set(present["status"].unique()) - set(STATUSES)))
    return (
        present.group_by(column)
        .agg(
            pl.len().alias("requests"),
            *[(pl.col("status") == status).sum().alias(status) for status in statuses],
            *[
                pl.col("latency_ms").quantile(q, interpolation="linear").alias(name)
                for name, q in QUANTILES.items()
            ],
        )
        .sort(["requests", column], descending=[True, False])
        .head(MAX_BREAKDOWN)
        .sort(column)
    )


def _bucket(ts: pl.Expr, start: float, width: float) -> pl.Expr:
    return ((ts - start) / width).floor().cast(pl.Int64).alias("bucket")


def _in_flight(frame: pl.DataFrame, start: float, width: float) -> pl.DataFrame:
    """Per bucket: the peak level of requests in flight reached by an event inside it, and
    the level after its last event (carried into buckets with no event)."""
    starts = frame.select(pl.col("ts").alias("at"), pl.lit(1).alias("step"))
    ends = frame.select((pl.col("ts") + pl.col("latency_ms") / 1000).alias("at"), pl.lit(-1))
    events = (
        pl.concat([starts, ends.rename({"literal": "step"})])
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
