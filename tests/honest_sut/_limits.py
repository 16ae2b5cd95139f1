"""A tool's guards before it runs: breaker, token buckets and bulkhead, per tool.

Each guard refuses with one limit code (`circuit_open`, `rate_limited`,
`concurrency_limit`) and never waits longer than its budget. A tenant may hold at most
half (rounded up) of a tool's slots, rate and burst, so one tenant cannot starve another.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

TENANT_SHARE = 0.5
SLOTS_PER_TOOL = 10
QUEUE_BUDGET_SECONDS = 0.05
UPSTREAM_CODES = frozenset({"timeout", "connection_error", "upstream_error"})


class Refused(Exception):
    """A guard refused the call before it reached the upstream."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Breaker:
    """Opens after `threshold` consecutive upstream failures; after `cool_down` it admits
    one probe, whose success closes it. Outcomes that are not upstream failures are neutral."""

    def __init__(self, threshold: int, cool_down: float, clock: Callable[[], float]) -> None:
        self.threshold, self.cool_down, self._clock = threshold, cool_down, clock
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self.opened_at >= self.cool_down else "open"

    def admit(self) -> tuple[bool, bool]:
        """(may run, is the probe): a half-open breaker admits exactly one probe."""
        state = self.state
        if state == "closed":
            return True, False
        if state == "half_open" and not self.probing:
            self.probing = True
            return True, True
        return False, False

    def record(self, code: str | None, probe: bool) -> None:
        if probe:
            self.probing = False
        if code is None:
            self.failures, self.opened_at = 0, None
        elif code in UPSTREAM_CODES:
            self.failures += 1
            if probe or self.failures >= self.threshold:
                self.opened_at = self._clock()


class TokenBucket:
    def __init__(self, per_second: float, burst: float, clock: Callable[[], float]) -> None:
        self.per_second, self.burst, self._clock = per_second, burst, clock
        self.tokens, self.stamp = burst, clock()

    def take(self) -> bool:
        now = self._clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Bulkhead:
    """`slots` calls at once per tool, a short FIFO queue, and a cap per tenant on calls
    in flight and queued together."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.tenant_cap = math.ceil(slots * TENANT_SHARE)
        self._semaphore = asyncio.Semaphore(slots)
        self.held: dict[str, int] = defaultdict(int)

    @asynccontextmanager
    async def slot(self, tenant: str, queue_budget: float) -> AsyncIterator[None]:
        if self.held[tenant] >= self.tenant_cap:
            raise Refused("concurrency_limit", f"tenant holds its {self.tenant_cap} slots")
        self.held[tenant] += 1
        try:
            try:
                async with asyncio.timeout(max(queue_budget, 0.0)):
                    await self._semaphore.acquire()
            except TimeoutError:
                raise Refused("concurrency_limit", f"no free slot of {self.slots}") from None
            try:
                yield
            finally:
                self._semaphore.release()
        finally:
            self.held[tenant] -= 1


class ToolGuard:
    """The breakers (one per tenant), buckets and bulkhead of one tool."""

    def __init__(self, threshold: int, cool_down: float, rate: tuple[float, float] | None):
        clock = time.monotonic
        self._breaker_settings = (threshold, cool_down, clock)
        # a breaker per tenant: one tenant's statements cut by their timeout are its own
        # failures, and must not switch the tool off for the others (contract, section 8)
        self._breakers: dict[str, Breaker] = {}
        self.bulkhead = Bulkhead(SLOTS_PER_TOOL)
        self._rate = rate
        self._bucket = TokenBucket(rate[0], rate[1], clock) if rate else None
        self._tenant_buckets: dict[str, TokenBucket] = {}

    def breaker(self, tenant: str) -> Breaker:
        breaker = self._breakers.get(tenant)
        if breaker is None:
            breaker = self._breakers[tenant] = Breaker(*self._breaker_settings)
        return breaker

    def take_token(self, tenant: str) -> None:
        if self._rate is None or self._bucket is None:
            return
        bucket = self._tenant_buckets.get(tenant)
        if bucket is None:
            share = (self._rate[0] * TENANT_SHARE, math.ceil(self._rate[1] * TENANT_SHARE))
            bucket = self._tenant_buckets[tenant] = TokenBucket(*share, time.monotonic)
        if not bucket.take():
            raise Refused("rate_limited", "the tenant's share of the rate is used up")
        if not self._bucket.take():
            raise Refused("rate_limited", "the tool's rate is used up")

    def statistics(self) -> dict[str, object]:
        return {
            "tenant_breakers_open": sum(b.state != "closed" for b in self._breakers.values()),
            "slots": self.bulkhead.slots,
            "in_flight_or_queued": sum(self.bulkhead.held.values()),
        }
