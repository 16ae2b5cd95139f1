"""Exact order statistics of a latency group in two reads, holding a histogram, not the group.

A first read counts each group's latencies per fine bin (`fine_bin`: the top bits of the
float, so bins follow the order of the values exactly, about 0.4% wide). Once a group's size
is known, the ranks a verdict reads (`quantile_rank`, the confidence bounds) and the
thresholds it compares against each fall in one bin; a second read gathers only the
latencies of those bins (`wanted_bins`), and `SelectedLatencies` answers `at_ranks` and
`count_above` exactly, as `ExactLatencies` does from the whole group.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

_BIN_SHIFT = 44  # keeps 8 of the 52 mantissa bits: 256 bins per power of two


def fine_bin(latencies: np.ndarray) -> np.ndarray:
    """Each latency's fine bin: for non-negative floats the bit pattern grows with the value,
    so bins are ordered as the latencies are (+0.0 folds -0.0 into 0.0)."""
    return (latencies + 0.0).view(np.int64) >> _BIN_SHIFT


def bin_of(value: float) -> int:
    return int(fine_bin(np.array([max(value, 0.0)], dtype=np.float64))[0])


class FineHistogram:
    """Counts per fine bin of one group, merged from the reads of many chunks: a dense array
    from the lowest bin seen (a few thousand bins for latencies from microseconds to
    minutes)."""

    def __init__(self) -> None:
        self._low = 0
        self._counts = np.zeros(0, dtype=np.int64)

    def add(self, bins: np.ndarray) -> None:
        if len(bins):
            low = int(bins.min())
            self._grow(low, int(bins.max()))
            self._counts += np.bincount(bins - self._low, minlength=len(self._counts))

    def add_counts(self, bins: np.ndarray, counts: np.ndarray) -> None:
        """Counts the engine took per bin (`bins` distinct), rather than the bins of each
        request."""
        if len(bins):
            self._grow(int(bins.min()), int(bins.max()))
            np.add.at(self._counts, bins - self._low, counts)

    def _grow(self, low: int, high: int) -> None:
        """Widen the dense array to hold bins `low` to `high`."""
        if not len(self._counts):
            self._low, self._counts = low, np.zeros(high - low + 1, dtype=np.int64)
        start = min(low, self._low)
        end = max(high + 1, self._low + len(self._counts))
        if start < self._low or end > self._low + len(self._counts):
            grown = np.zeros(end - start, dtype=np.int64)
            grown[self._low - start : self._low - start + len(self._counts)] = self._counts
            self._low, self._counts = start, grown

    @property
    def count(self) -> int:
        return int(self._counts.sum())

    def sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """(bins holding a latency, ascending; running count up to and including each)."""
        held = np.flatnonzero(self._counts)
        return held + self._low, np.cumsum(self._counts[held])


class SelectedLatencies:
    """One group's answer to the ranks and thresholds asked before the second read: the same
    `count`, `at_ranks` and `count_above` as `ExactLatencies`, for those ranks and thresholds."""

    def __init__(
        self, histogram: FineHistogram, ranks: Iterable[int | None], thresholds: Iterable[float]
    ) -> None:
        self._bins, self._running = histogram.sorted()
        self.count = int(self._running[-1]) if len(self._running) else 0
        self._ranks = {self._clamped(r) for r in ranks if r is not None and self.count}
        self._thresholds = set(thresholds)
        self._gathered: dict[int, list[np.ndarray]] = {b: [] for b in self.wanted_bins()}
        self._values: dict[int, np.ndarray] = {}

    def _clamped(self, rank: int) -> int:
        return min(max(rank, 1), self.count)

    def _bin_at_rank(self, rank: int) -> int:
        return int(self._bins[np.searchsorted(self._running, rank)])

    def wanted_bins(self) -> set[int]:
        """The bins whose latencies the second read must gather."""
        return {self._bin_at_rank(r) for r in self._ranks} | {bin_of(t) for t in self._thresholds}

    def gather(self, bins: np.ndarray, latencies: np.ndarray) -> None:
        """Keep the latencies of a chunk that fall in a wanted bin (`bins` = their fine bins)."""
        for index, chunks in self._gathered.items():
            chunks.append(latencies[bins == index])

    def _in_bin(self, index: int) -> np.ndarray:
        if index not in self._values:
            if index not in self._gathered:
                raise KeyError(f"latency bin {index} was not asked for before the second read")
            chunks = self._gathered.pop(index)
            self._values[index] = np.sort(np.concatenate(chunks)) if chunks else np.zeros(0)
        return self._values[index]

    def at_ranks(self, *ranks: int | None) -> list[float | None]:
        values: list[float | None] = []
        for rank in ranks:
            if rank is None or not self.count:
                values.append(None)
                continue
            rank = self._clamped(rank)
            position = int(np.searchsorted(self._running, rank))
            before = int(self._running[position - 1]) if position else 0
            values.append(float(self._in_bin(int(self._bins[position]))[rank - before - 1]))
        return values

    def count_above(self, threshold_ms: float) -> int:
        index = bin_of(threshold_ms)
        position = int(np.searchsorted(self._bins, index, side="right"))
        above_bin = self.count - (int(self._running[position - 1]) if position else 0)
        in_bin = self._in_bin(index)
        return above_bin + int(np.count_nonzero(in_bin > threshold_ms))
