"""Latency distributions with bounded memory.

`LatencyRecorder` keeps the exact samples while they are few (percentiles and their
order-statistic bounds are then exact) and moves to an HDR histogram once they pass
`EXACT_LIMIT`, so a million requests cost a fixed few hundred kilobytes.
`CoarseHistogram` is a small sparse log-bucket histogram for the per-bucket time series
of the HTML plots, where thousands of HDR histograms would be too heavy.
"""

from __future__ import annotations

import math

from hdrh.histogram import HdrHistogram

EXACT_LIMIT = 4096
_MICROS_PER_MS = 1000
_HIGHEST_MICROS = 3_600_000_000  # one hour; anything slower is clamped to it
_SIGNIFICANT_FIGURES = 3


class LatencyRecorder:
    """Exact below EXACT_LIMIT samples, HDR (3 significant figures, in microseconds) above."""

    def __init__(self) -> None:
        self._exact: list[float] | None = []
        self._sorted = True
        self._hdr: HdrHistogram | None = None
        self.count = 0

    @property
    def is_exact(self) -> bool:
        return self._exact is not None

    def record(self, latency_ms: float) -> None:
        self.count += 1
        if self._exact is not None:
            self._exact.append(latency_ms)
            self._sorted = False
            if len(self._exact) > EXACT_LIMIT:
                self._spill_to_hdr()
            return
        assert self._hdr is not None
        self._hdr.record_value(_to_micros(latency_ms))

    def _spill_to_hdr(self) -> None:
        self._hdr = HdrHistogram(1, _HIGHEST_MICROS, _SIGNIFICANT_FIGURES)
        for value in self._exact or ():
            self._hdr.record_value(_to_micros(value))
        self._exact = None

    def value_at_rank(self, rank: int) -> float:
        """The `rank`-th smallest sample (1-based), exact or to HDR precision."""
        rank = min(max(rank, 1), self.count)
        if self._exact is not None:
            if not self._sorted:
                self._exact.sort()
                self._sorted = True
            return self._exact[rank - 1]
        assert self._hdr is not None
        return self._hdr.get_value_at_percentile(100.0 * rank / self.count) / _MICROS_PER_MS

    def quantile(self, q: float) -> float:
        return self.value_at_rank(max(1, math.ceil(q * self.count)))

    def count_above(self, threshold_ms: float) -> int:
        """Samples strictly slower than `threshold_ms` (to HDR precision above the limit)."""
        if self._exact is not None:
            return sum(1 for value in self._exact if value > threshold_ms)
        assert self._hdr is not None
        limit = _to_micros(threshold_ms)
        at_or_below = 0
        for item in self._hdr.get_recorded_iterator():
            if item.value_iterated_to <= limit:
                at_or_below += item.count_at_value_iterated_to
        return self.count - at_or_below


def _to_micros(latency_ms: float) -> int:
    return min(max(int(round(latency_ms * _MICROS_PER_MS)), 1), _HIGHEST_MICROS)


class CoarseHistogram:
    """Sparse histogram with ~4% wide log buckets: enough for a plotted percentile line."""

    _GROWTH = 1.04

    def __init__(self) -> None:
        self.bins: dict[int, int] = {}
        self.count = 0

    def record(self, latency_ms: float) -> None:
        index = int(math.log(max(latency_ms, 0.01) / 0.01, self._GROWTH))
        self.bins[index] = self.bins.get(index, 0) + 1
        self.count += 1

    def merge(self, other: CoarseHistogram) -> None:
        for index, count in other.bins.items():
            self.bins[index] = self.bins.get(index, 0) + count
        self.count += other.count

    def quantile(self, q: float) -> float | None:
        if self.count == 0:
            return None
        needed = max(1, math.ceil(q * self.count))
        running = 0
        for index in sorted(self.bins):
            running += self.bins[index]
            if running >= needed:
                return 0.01 * self._GROWTH ** (index + 0.5)
        return None
