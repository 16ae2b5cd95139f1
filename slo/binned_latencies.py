"""Exact latency order statistics of many groups at once (the timeline's buckets, the healthy
cells), counted by the engine rather than gathered: per chunk, one group-by of (group, fine
bin) -> requests; once every chunk is counted, the ranks each group needs pick a few bins, and
a second read keeps only the latencies of those (group, bin) pairs (`exact_ranks`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import polars as pl
import pyarrow as pa

from .exact_ranks import FineHistogram, SelectedLatencies, fine_bin

FINE = "fine"  # the column holding each request's fine bin

Key = tuple[object, ...]


def with_fine_bins(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` with each latency's fine bin (numpy on the column's own memory: the engine has
    no reinterpretation of a float's bits)."""
    return rows.with_columns(pl.Series(FINE, fine_bin(rows["latency_ms"].to_numpy())))


def in_bins(bins: set[int]) -> Callable[[pa.Table], np.ndarray]:
    """Which of a segment's requests (an Arrow table with `latency_ms`) fall in one of
    `bins`: a lookup in a table of every bin up to the highest wanted, not a search."""
    wanted = np.zeros(max(bins, default=-1) + 2, dtype=bool)  # the last entry: beyond
    wanted[list(bins)] = True

    def picked(table: pa.Table) -> np.ndarray:
        latencies = table["latency_ms"].to_numpy()
        return wanted[np.minimum(fine_bin(latencies), len(wanted) - 1)]

    return picked


class BinnedGroups:
    """One FineHistogram per value of the `keys` columns."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = list(keys)
        self.histograms: dict[Key, FineHistogram] = {}
        self.selected: dict[Key, SelectedLatencies] = {}

    def counted(self, binned: pl.LazyFrame) -> pl.LazyFrame:
        """What `add` takes: requests per group and fine bin, summed from a table of
        `requests` per fine bin and finer groups (`chunk_tables`)."""
        return binned.group_by(*self.keys, FINE).agg(pl.col("requests").sum().alias("n"))

    def add(self, counted: pl.DataFrame) -> None:
        for key, part in counted.partition_by(self.keys, as_dict=True).items():
            histogram = self.histograms.setdefault(key, FineHistogram())
            histogram.add_counts(part[FINE].to_numpy(), part["n"].to_numpy())

    def select(self, ranks: Callable[[int], list[int | None]]) -> None:
        """Ask, per group, for the ranks `ranks(count)` names: their bins are gathered next."""
        self.selected = {
            key: SelectedLatencies(histogram, ranks(histogram.count), ())
            for key, histogram in self.histograms.items()
        }

    def wanted(self) -> pl.DataFrame:
        """(keys..., fine) of every bin a selected rank falls in."""
        pairs = [(*key, b) for key, chosen in self.selected.items() for b in chosen.wanted_bins()]
        columns = [*self.keys, FINE]
        return pl.DataFrame(pairs, schema=columns, orient="row", infer_schema_length=None)

    def gather(self, rows: pl.DataFrame, wanted: pl.DataFrame) -> None:
        """Keep the latencies of `rows` (keys, FINE, latency_ms) that fall in a wanted bin
        (`wanted`: `self.wanted()`, made once for every read)."""
        if not wanted.height:
            return
        kept = rows.select(*self.keys, FINE, "latency_ms").filter(
            pl.col(FINE).is_in(wanted[FINE].unique().to_list())
        )  # most requests leave here; the few left are matched on their group too
        kept = kept.with_columns(pl.col(k).cast(wanted.schema[k]) for k in self.keys)
        kept = kept.join(wanted, on=[*self.keys, FINE], how="semi")
        for key, part in kept.partition_by(self.keys, as_dict=True).items():
            chosen = self.selected.get(key)
            if chosen is not None:
                chosen.gather(part[FINE].to_numpy(), part["latency_ms"].to_numpy())


def linear_ranks(levels: Sequence[float]) -> Callable[[int], list[int | None]]:
    """The 1-based ranks a linear-interpolation quantile at each level reads: the sample at
    index q (n - 1), rounded down and up."""

    def ranks(count: int) -> list[int | None]:
        if not count:
            return []
        indices = [q * (count - 1) for q in levels]
        return [int(np.floor(i)) + 1 for i in indices] + [int(np.ceil(i)) + 1 for i in indices]

    return ranks


def linear_quantiles(chosen: SelectedLatencies, levels: Sequence[float]) -> list[float]:
    """Each level's quantile as the engine interpolates it (`Expr.quantile(q, "linear")`)."""
    values = []
    for q in levels:
        index = q * (chosen.count - 1)
        low, high = int(np.floor(index)), int(np.ceil(index))
        below, above = chosen.at_ranks(low + 1, high + 1)
        assert below is not None and above is not None
        values.append(below if low == high else below + (index - low) * (above - below))
    return values
