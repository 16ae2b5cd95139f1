"""Bulkhead: never more than `limit` calls of one tool in flight.

A caller that finds the bulkhead full waits in a FIFO queue for at most its
queue budget, then fails fast with `concurrency_limit`: a saturated tool sheds load
instead of stacking up requests that will miss their deadlines anyway.

Fairness: one tenant may hold (in flight and queued together) at most `tenant_share` of
the slots, rounded up, at least one. Beyond that its calls are refused at once, so one
tenant's flood can neither fill the slots nor the queue the other tenants wait in.
"""

from __future__ import annotations

import asyncio
import math
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
    def __init__(
        self,
        limit: int,
        *,
        queue_budget_seconds: float = 0.05,
        tenant_share: float = 1.0,
        name: str = "",
    ) -> None:
        if limit < 1:
            raise ValueError(f"bulkhead limit must be at least 1, got {limit}")
        if queue_budget_seconds < 0:
            raise ValueError(f"queue budget must not be negative, got {queue_budget_seconds}")
        if not 0 < tenant_share <= 1:
            raise ValueError(f"tenant_share must be in (0, 1], got {tenant_share}")
        self.limit = limit
        # None: a tenant may take every slot (and queue for more), as with one tenant.
        self.tenant_limit = max(1, math.ceil(limit * tenant_share)) if tenant_share < 1 else None
        # Slots held or awaited, per tenant. A plain dict: a Counter's missing key costs a
        # Python-level call, and this is read on every call.
        self._by_tenant: dict[str, int] = {}
        self.queue_budget_seconds = queue_budget_seconds
        self.name = name
        self._in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._admitted = 0
        self._rejected = 0
        self._peak = 0

    def try_acquire(self, tenant: str = "") -> bool:
        """Take a free slot without waiting; False when the caller would have to queue.

        Raises `concurrency_limit` at once when `tenant` already holds its share."""
        held = self._by_tenant.get(tenant, 0)
        if self.tenant_limit is not None and held >= self.tenant_limit:
            self._reject(f"tenant {tenant!r} holds its {self.tenant_limit} slots")
        if self._in_flight >= self.limit or self._waiters:  # a free slot, and nobody before us
            return False
        self._in_flight += 1
        self._admitted += 1
        if self._in_flight > self._peak:
            self._peak = self._in_flight
        self._by_tenant[tenant] = held + 1
        return True

    async def acquire(self, budget_seconds: float | None = None, tenant: str = "") -> None:
        """Take a slot, waiting at most `budget_seconds` (default: the queue budget)."""
        if self.try_acquire(tenant):
            return
        budget = self.queue_budget_seconds if budget_seconds is None else budget_seconds
        if budget <= 0:
            self._reject()
        self._by_tenant[tenant] = self._by_tenant.get(tenant, 0) + 1  # queued counts too
        try:
            await self._wait_for_slot(budget)
        except BaseException:
            self._drop(tenant)
            raise

    async def _wait_for_slot(self, budget: float) -> None:
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
                self._pass_slot_on()
            raise
        finally:
            if not waiter.done():
                waiter.cancel()
            try:
                self._waiters.remove(waiter)
            except ValueError:
                pass

    def release(self, tenant: str = "") -> None:
        self._drop(tenant)
        self._pass_slot_on()

    def _pass_slot_on(self) -> None:
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

    def _drop(self, tenant: str) -> None:
        held = self._by_tenant.get(tenant, 0) - 1
        if held > 0:
            self._by_tenant[tenant] = held
        else:
            self._by_tenant.pop(tenant, None)  # no empty entry per tenant ever seen

    def _reject(self, why: str = "") -> None:
        self._rejected += 1
        why = why or f"all {self.limit} slots busy beyond the queue wait budget"
        raise ToolError(ToolErrorCode.CONCURRENCY_LIMIT, f"tool {self.name!r}: {why}")
