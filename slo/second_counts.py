"""Requests counted per second and per label, once, for every objective that needs no finer
time than a second: the whole-run counts and burn-rate series of ratio objectives, the
comparison with another phase, the plot's status series.

An objective's events, filters and split are all expressions over a few labels (status,
phase, a tool's error code ...), so they hold as well over a table of (second, labels,
requests) as over the requests themselves, at a few thousand rows instead of one per request.

Each table holds only the labels its objectives read: every extra label multiplies the rows
(seconds x statuses x intents x tenants ...). A set of labels that another requested set
contains is summed from that one's table instead of counted again from the requests.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from .columns import tool_column
from .spec import Filters, Objective, RatioKind

SECOND = "second"
REQUESTS = "requests"
_FILTERED = ("scenario", "phase", "tenant", "intent", "source")

Labels = frozenset[str]


def second(column: str = "ts") -> pl.Expr:
    """The floored epoch second of each timestamp."""
    return pl.col(column).floor().cast(pl.Int64).alias(SECOND)


def filter_labels(filters: Filters) -> set[str]:
    return {name for name in _FILTERED if getattr(filters, name) is not None}


def objective_labels(objective: Objective) -> Labels:
    """The labels a ratio objective's events, filters and split read."""
    labels = filter_labels(objective.filters)
    if objective.per is not None:
        labels.add(objective.per.value)
    if objective.ratio is RatioKind.FALLBACK:
        labels.add("fallback_used")
    elif objective.ratio is RatioKind.TOOL_ERROR:
        labels.add(tool_column(objective.tool or ""))
    else:
        labels.add("status")
    if objective.compare_with_phase is not None:
        labels.add("phase")
    return frozenset(labels)


def widest_labels(wanted: Iterable[Labels]) -> list[Labels]:
    """The label sets no other wanted set contains: only those are counted from requests."""
    wanted = set(wanted)
    return [labels for labels in wanted if not any(labels < other for other in wanted)]


def count_per_second(rows: pl.LazyFrame, labels: Labels) -> pl.LazyFrame:
    return rows.group_by(second(), *sorted(labels)).agg(pl.len().cast(pl.Int64).alias(REQUESTS))


class SecondCounts:
    """The per-second tables of one frame, for the label sets announced up front."""

    def __init__(self, rows: pl.LazyFrame, wanted: Iterable[Labels]) -> None:
        widest = widest_labels(wanted)
        counted = [count_per_second(rows, labels) for labels in widest]
        self._tables = dict(zip(widest, pl.collect_all(counted), strict=True))

    @classmethod
    def merged(cls, parts: dict[Labels, list[pl.DataFrame]]) -> SecondCounts:
        """The tables of a run read in chunks: each label set's chunk tables, summed (a second
        cut by a chunk boundary is counted in both)."""
        counts = cls.__new__(cls)
        counts._tables = {
            labels: pl.concat(tables).group_by(SECOND, *sorted(labels)).agg(pl.col(REQUESTS).sum())
            for labels, tables in parts.items()
        }
        return counts

    def table(self, labels: Labels) -> pl.LazyFrame:
        """(second, labels..., requests): requests per second and combination of labels."""
        found = self._tables.get(labels)
        if found is not None:
            return found.lazy()
        wider = min((t for t in self._tables if labels < t), key=len)
        return (
            self._tables[wider].lazy().group_by(SECOND, *sorted(labels)).agg(pl.col(REQUESTS).sum())
        )
