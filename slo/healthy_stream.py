"""The healthy phase's summary (`healthy.healthy_cells`) taken chunk by chunk: per cell its
status counts, and its sketch exact from a fine histogram and a second read of the latencies
at the ranks the sketch interpolates between (`binned_latencies`). Memory holds counts, not
the healthy phase's requests."""

from __future__ import annotations

import polars as pl

from .binned_latencies import FINE, BinnedGroups, linear_quantiles, linear_ranks
from .healthy import SKETCH_LEVELS, HealthyCell, healthy_rows
from .second_counts import REQUESTS

_CELL = ("scenario", "intent")


class StreamedHealthy:
    def __init__(self) -> None:
        self.latencies = BinnedGroups(_CELL)
        self._statuses: list[pl.DataFrame] = []
        self._wanted = pl.DataFrame()

    def add(self, compact: pl.LazyFrame, binned: pl.LazyFrame) -> None:
        """A chunk's tables (`chunk_tables`)."""
        named = [pl.col(name).cast(pl.String) for name in (*_CELL, "status")]
        counted, statuses = pl.collect_all(
            [
                self.latencies.counted(healthy_rows(binned)).with_columns(named[:2]),
                healthy_rows(compact)
                .group_by(*_CELL, "status")
                .agg(pl.col(REQUESTS).sum().alias("len"))
                .with_columns(named),
            ]
        )
        self.latencies.add(counted)
        self._statuses.append(statuses)

    def select(self) -> None:
        self.latencies.select(linear_ranks(SKETCH_LEVELS))
        self._wanted = self.latencies.wanted()

    def wanted_bins(self) -> set[int]:
        return set(self._wanted[FINE]) if self._wanted.height else set()

    def gather(self, rows: pl.DataFrame) -> None:
        self.latencies.gather(healthy_rows(rows.lazy()).collect(), self._wanted)

    def cells(self) -> tuple[HealthyCell, ...]:
        statuses: dict[tuple[str, str], dict[str, int]] = {}
        if self._statuses:
            summed = pl.concat(self._statuses).group_by(*_CELL, "status").agg(pl.col("len").sum())
            for scenario, intent, status, count in summed.sort("status").iter_rows():
                statuses.setdefault((scenario, intent), {})[status] = count
        return tuple(
            HealthyCell(
                scenario=str(scenario),
                intent=str(intent),
                requests=chosen.count,
                statuses=statuses.get((str(scenario), str(intent)), {}),
                sketch_ms=tuple(linear_quantiles(chosen, SKETCH_LEVELS)),
            )
            for (scenario, intent), chosen in sorted(self.latencies.selected.items())
            if chosen.count
        )
