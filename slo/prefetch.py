"""Reads done ahead: while the caller counts one part of the run, threads of their own read
the next (Parquet decoding releases the interpreter, so on two cores the two overlap)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def prefetched(reads: Iterable[Callable[[], T]], ahead: int = 1) -> Iterator[T]:
    """Each read's result, in order; at most `ahead` reads run ahead of the caller, each on
    a thread of its own (more than one when the caller does little with each part)."""
    with ThreadPoolExecutor(max_workers=ahead) as pool:
        pending: deque[Future[T]] = deque()
        for read in reads:
            pending.append(pool.submit(read))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
