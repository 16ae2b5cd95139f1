"""Time buckets that stay bounded: when a run outlasts `max_buckets`, buckets double in width
and merge, so memory depends on neither the run's length nor its request count."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Generic, TypeVar

from .latency import CoarseHistogram

Value = TypeVar("Value")


class CompactingSeries(Generic[Value]):
    def __init__(
        self,
        new: Callable[[], Value],
        merge: Callable[[Value, Value], None],
        width_s: float = 1.0,
        max_buckets: int | None = 120,
    ) -> None:
        self._new, self._merge = new, merge
        self.width_s = width_s
        self.max_buckets = max_buckets
        self.buckets: dict[int, Value] = {}

    def at(self, ts: float) -> Value:
        key = math.floor(ts / self.width_s)
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = self._new()
            if self.max_buckets is not None and len(self.buckets) > self.max_buckets:
                self._compact()
                return self.at(ts)
        return bucket

    def _compact(self) -> None:
        merged: dict[int, Value] = {}
        for key in sorted(self.buckets):
            target = merged.get(key // 2)
            if target is None:
                merged[key // 2] = self.buckets[key]
            else:
                self._merge(target, self.buckets[key])
        self.buckets = merged
        self.width_s *= 2

    def items(self) -> list[tuple[float, Value]]:
        """(bucket start in epoch seconds, value), in time order."""
        return [(key * self.width_s, self.buckets[key]) for key in sorted(self.buckets)]


def new_counts() -> list[int]:
    return [0, 0]  # hits, total


def merge_counts(into: list[int], other: list[int]) -> None:
    into[0] += other[0]
    into[1] += other[1]


class StatusBucket:
    __slots__ = ("statuses", "latency")

    def __init__(self) -> None:
        self.statuses: dict[str, int] = {}
        self.latency = CoarseHistogram()

    def merge(self, other: StatusBucket) -> None:
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.latency.merge(other.latency)
