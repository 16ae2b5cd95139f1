"""Bulkhead: never more than `limit` calls of one tool in flight.

A caller that finds the bulkhead full waits in a FIFO queue for at most its
queue budget, then fails fast with `concurrency_limit`: a saturated tool sheds load
instead of stacking up requests that will miss their deadlines anyway.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from .contracts import ToolErrorCode
from .errors import ToolError


@dataclass(frozen=True)
class BulkheadStatistics:
    limit: int
    in_flight: int
    waiting: int
    admitted: int
    rejected: int
    peak_in_flight: int


class Bulkhead:
    def __init__(self, limit: int, *, queue_budget_seconds: float = 0.05, name: str = "") -> None:
        if limit < 1:
            raise ValueError(f"bulkhead limit must be at least 1, got {limit}")
        if queue_budget_seconds < 0:
            raise ValueError(f"queue budget must not be negative, got {queue_budget_seconds}")
        self.limit = limit
        self.queue_budget_seconds = queue_budget_seconds
        self.name = name
        self._in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._admitted = 0
        self._rejected = 0
        self._peak = 0

    def try_acquire(self) -> bool:
        """Take a free slot without waiting; False when the caller would have to queue."""
        if self._in_flight < self.limit and not self._waiters:
            self._in_flight += 1
            self._admitted += 1
            if self._in_flight > self._peak:
                self._peak = self._in_flight
            return True
        return False

    async def acquire(self, budget_seconds: float | None = None) -> None:
        """Take a slot, waiting at most `budget_seconds` (default: the queue budget)."""
        if self.try_acquire():
            return
        budget = self.queue_budget_seconds if budget_seconds is None else budget_seconds
        if budget <= 0:
            self._reject()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(budget):
                await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return  # the slot arrived just as the budget ran out: keep it
            self._reject()
        except BaseException:
            # Cancelled from outside: if a slot was handed to us meanwhile, pass it on.
            if waiter.done() and not waiter.cancelled():
                self.release()
            raise
        finally:
            if not waiter.done():
                waiter.cancel()
            try:
                self._waiters.remove(waiter)
            except ValueError:
                pass

    def release(self) -> None:
        # Hand the slot straight to the oldest live waiter so a newcomer cannot jump the queue.
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._admitted += 1
                return
        if self._in_flight <= 0:
            raise RuntimeError("bulkhead released more often than acquired")
        self._in_flight -= 1

    def statistics(self) -> BulkheadStatistics:
        return BulkheadStatistics(
            limit=self.limit,
            in_flight=self._in_flight,
            waiting=sum(1 for w in self._waiters if not w.done()),
            admitted=self._admitted,
            rejected=self._rejected,
            peak_in_flight=self._peak,
        )

    def _reject(self) -> None:
        self._rejected += 1
        raise ToolError(
            ToolErrorCode.CONCURRENCY_LIMIT,
            f"tool {self.name!r}: all {self.limit} slots busy beyond the queue wait budget",
        )
