"""The figures a load run's summary prints (`report_load_terminal`), read from its segments a
segment at a time: never the run whole, however long it lasted.

Counts, the status mix, the tool error codes, the first start and the last answer add up
segment by segment. A latency percentile is the exact nearest-rank sample (`quantile_rank`),
the one a latency objective reads, found in two reads as the streamed evaluation finds its
own (`exact_ranks`): the first counts each group's latencies (the run's, each intent's) per
fine bin; the second keeps only the latencies of the bins the wanted ranks fall in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .binned_latencies import FINE, in_bins
from .error_tally import top_errors
from .exact_ranks import FineHistogram, SelectedLatencies, fine_bin
from .latency import quantile_rank

RUN_QUANTILES = (0.5, 0.9, 0.95, 0.99)
INTENT_QUANTILES = (0.5, 0.95, 0.99)
NO_INTENT = "-"  # the row of requests that name no intent
_RUN = None  # the group of every request, beside one per intent
_COLUMNS = ["ts", "latency_ms", "status", "intent", "tool_errors"]


@dataclass(frozen=True)
class IntentFigures:
    intent: str
    requests: int
    not_ok: int  # answered with another status than success
    latency_ms: dict[float, float]  # INTENT_QUANTILES -> the nearest-rank sample


@dataclass(frozen=True)
class RequestFigures:
    count: int = 0
    first_start: float = 0.0  # the earliest request start (epoch seconds)
    last_end: float = 0.0  # the latest answer: a start plus its latency
    latency_ms: dict[float, float] = field(default_factory=dict)  # RUN_QUANTILES -> sample
    max_latency_ms: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    top_errors: list[tuple[str, int]] = field(default_factory=list)  # `error_tally`
    intents: list[IntentFigures] = field(default_factory=list)  # most requests first


def request_figures(files: Sequence[Path]) -> RequestFigures:
    """The figures of the requests recorded in `files` (segments, in time order)."""
    tally = _Tally()
    for index, path in enumerate(files):
        tally.add(index, pq.read_table(path, columns=_COLUMNS))
    if not tally.count:
        return RequestFigures()
    ranked = tally.ranked()
    wanted = in_bins(set().union(*(chosen.wanted_bins() for chosen in ranked.values())))
    for path in files:
        table = pq.read_table(path, columns=["latency_ms", "intent"])
        kept = table.filter(pa.array(wanted(table)))  # the few in a bin a rank falls in
        latencies = kept["latency_ms"].to_numpy()
        bins = fine_bin(latencies)
        intents = _intents(kept["intent"]).to_numpy(zero_copy_only=False)
        for group, chosen in ranked.items():
            mine = slice(None) if group is _RUN else intents == group
            chosen.gather(bins[mine], latencies[mine])
    return tally.figures(ranked)


class _Tally:
    """What the first read adds up, segment by segment."""

    def __init__(self) -> None:
        self.count = 0
        self.first_start, self.last_end = np.inf, -np.inf
        self.statuses: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        # intent -> [requests, not ok, (segment, row) of its first request]
        self.intents: dict[str, list] = {}
        self.histograms: dict[str | None, FineHistogram] = {_RUN: FineHistogram()}

    def add(self, index: int, table: pa.Table) -> None:
        if not table.num_rows:
            return
        rows = pl.from_arrow(table.drop_columns(["tool_errors"])).with_columns(
            pl.Series("intent", _intents(table["intent"])),
            pl.Series(FINE, fine_bin(table["latency_ms"].to_numpy())),
        )
        self.count += rows.height
        ended = rows.select((pl.col("ts") + pl.col("latency_ms") / 1000).max()).item()
        self.first_start = min(self.first_start, rows["ts"].min())
        self.last_end = max(self.last_end, ended)
        self.statuses.update(dict(rows["status"].value_counts().iter_rows()))
        for entry in pc.value_counts(_error_labels(table["tool_errors"])).to_pylist():
            self.errors[entry["values"]] += entry["counts"]  # a few codes, many requests
        self.histograms[_RUN].add(rows[FINE].to_numpy())
        per_intent = (
            rows.with_row_index("row")
            .group_by("intent", maintain_order=True)
            .agg(pl.len(), (pl.col("status") != "success").sum(), pl.col("row").min())
        )
        for intent, requests, not_ok, row in per_intent.iter_rows():
            counts = self.intents.setdefault(intent, [0, 0, (index, row)])
            counts[0] += requests
            counts[1] += not_ok
        bins = rows.group_by("intent", FINE).len()
        for (intent,), part in bins.partition_by("intent", as_dict=True).items():
            histogram = self.histograms.setdefault(intent, FineHistogram())
            histogram.add_counts(part[FINE].to_numpy(), part["len"].to_numpy())

    def ranked(self) -> dict[str | None, SelectedLatencies]:
        """Each group's ranks to find in the second read: the percentiles printed (and, for
        the run, its largest latency)."""
        ranked = {}
        for group, histogram in self.histograms.items():
            levels = RUN_QUANTILES if group is _RUN else INTENT_QUANTILES
            ranks = [quantile_rank(q, histogram.count) for q in levels]
            extra = [histogram.count] if group is _RUN else []
            ranked[group] = SelectedLatencies(histogram, [*ranks, *extra], ())
        return ranked

    def figures(self, ranked: dict[str | None, SelectedLatencies]) -> RequestFigures:
        def at(group: str | None, levels: Sequence[float]) -> dict[float, float]:
            chosen = ranked[group]
            values = chosen.at_ranks(*(quantile_rank(q, chosen.count) for q in levels))
            return {q: float(v) for q, v in zip(levels, values, strict=True)}

        # most requests first; of equal counts, the intent met first (in time order)
        order = sorted(self.intents.items(), key=lambda item: (-item[1][0], item[1][2]))
        [largest] = ranked[_RUN].at_ranks(self.count)
        return RequestFigures(
            count=self.count,
            first_start=float(self.first_start),
            last_end=float(self.last_end),
            latency_ms=at(_RUN, RUN_QUANTILES),
            max_latency_ms=float(largest),
            statuses=dict(self.statuses),
            top_errors=top_errors(self.errors),
            intents=[
                IntentFigures(intent, requests, not_ok, at(intent, INTENT_QUANTILES))
                for intent, (requests, not_ok, _) in order
            ],
        )


def _intents(column: pa.ChunkedArray) -> pa.Array:
    """Each request's intent, `NO_INTENT` for one that names none."""
    return pc.if_else(pc.equal(column, ""), NO_INTENT, column).combine_chunks()


def _error_labels(column: pa.ChunkedArray) -> pa.Array:
    """`tool code` of every entry of every request's `tool_errors` map."""
    labels = []
    for chunk in column.chunks:
        offsets = chunk.offsets.to_numpy()  # into the keys and items of the unsliced chunk
        start, length = int(offsets[0]), int(offsets[-1] - offsets[0])
        keys, codes = chunk.keys.slice(start, length), chunk.items.slice(start, length)
        labels.append(pc.binary_join_element_wise(keys, codes, " "))
    return pa.concat_arrays(labels) if labels else pa.array([], pa.string())
