"""A chunk's requests folded, once, into the two small tables every streamed count is summed
from (`streamed_evaluation`), instead of a group-by over the requests for each count:

- `compact`: requests and the earliest start per second, timeline bucket, window and slice
  of each ratio objective, and every label a count reads (a second holds a few label
  combinations, not a thousand requests);
- `binned`: requests per timeline bucket, fine latency bin (`binned_latencies.FINE`) and
  the labels the latency counts read.

A sum over either is the count over the requests themselves: the same rows, grouped twice.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from .accumulators import WINDOW_RESOLUTION
from .binned_latencies import FINE
from .expressions import group_key, group_name, is_hit, matches
from .healthy import HEALTHY_COLUMNS
from .packed_groups import packed_group_by
from .second_counts import REQUESTS, SECOND, Labels, filter_labels, second
from .spec import Objective, SloSpec

FIRST = "first"  # the earliest start of a compact row
_ALWAYS = {"status", "phase", "scenario", "intent", "source"}  # the timeline, healthy, recovery


class ChunkTables:
    def __init__(self, spec: SloSpec, origin: float, label_sets: Iterable[Labels]) -> None:
        labels = set(_ALWAYS).union(*label_sets)
        latency = set(HEALTHY_COLUMNS) - {"status", "latency_ms"}
        for objective in spec.objectives:
            labels |= filter_labels(objective.filters)
            if objective.kind == "latency":
                latency |= filter_labels(objective.filters)
                latency |= {objective.per.value} if objective.per is not None else set()
        self.labels, self.latency_labels = sorted(labels), sorted(latency)
        # a column per ratio objective's window and slice: its index, the whole-frame rule's
        self.index: dict[str, pl.Expr] = {}
        for objective in spec.objectives:
            if objective.window_s is not None:
                width = objective.window_s / WINDOW_RESOLUTION
                self.index[window(objective)] = (pl.col("ts") / width).floor().cast(pl.Int64)
            if objective.slice_s is not None:
                index = ((pl.col("ts") - origin) / objective.slice_s).floor().cast(pl.Int64)
                self.index[time_slice(objective)] = index

    def count(self, rows: pl.DataFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        """(compact, binned) of `rows` (a chunk with its `bucket` and FINE columns)."""
        indices = [expression.alias(name) for name, expression in self.index.items()]
        labels = [pl.col(name) for name in self.labels]
        compact = packed_group_by(
            rows,
            [second(), pl.col("bucket"), *indices, *labels],
            [pl.len().alias(REQUESTS), pl.col("ts").min().alias(FIRST)],
        )
        keys = [pl.col(name) for name in ("bucket", FINE, *self.latency_labels)]
        binned = packed_group_by(rows, keys, [pl.len().alias(REQUESTS)])
        return compact.lazy(), binned.lazy()


def window(objective: Objective) -> str:
    return f"window of {objective.name}"


def time_slice(objective: Objective) -> str:
    return f"slice of {objective.name}"


def per_second(compact: pl.LazyFrame, labels: Labels) -> pl.LazyFrame:
    """`second_counts.count_per_second` of the chunk."""
    summed = pl.col(REQUESTS).sum().cast(pl.Int64)
    return compact.group_by(SECOND, *sorted(labels)).agg(summed)


def counted_in(
    compact: pl.LazyFrame, objective: Objective, per: str | None, index: str
) -> list[tuple[str, int, tuple[int, int]]]:
    """`accumulators._counted_by` of the chunk: (group, index, (hits, total))."""
    requests = pl.col(REQUESTS)
    filtered = not objective.filters.is_empty
    picked = compact.filter(matches(objective.filters)) if filtered else compact
    counted = picked.group_by(group_key(per), index).agg(
        hits=(is_hit(objective).cast(pl.Int64) * requests).sum(), total=requests.sum()
    )
    return [
        (group_name(per, value), key, (hits, total))
        for value, key, hits, total in counted.collect().rows()
    ]
