"""Reads done one step ahead: while the caller counts one part of the run, a thread of its own
reads the next (Parquet decoding releases the interpreter, so on two cores the two overlap)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def prefetched(reads: Iterable[Callable[[], T]]) -> Iterator[T]:
    """Each read's result, in order; at most one read runs ahead of the caller."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[T] | None = None
        for read in reads:
            future = pool.submit(read)
            if pending is not None:
                yield pending.result()
            pending = future
        if pending is not None:
            yield pending.result()
