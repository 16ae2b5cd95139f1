"""Token-bucket rate limiter: fail fast with `rate_limited`, never queue.

The bucket holds at most `burst` tokens (default: one minute's budget) and refills
at `rate_per_minute / 60` tokens per second. Over any window of `w` seconds it
admits at most `burst + w * rate_per_minute / 60` calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .clock import Clock, monotonic
from .contracts import ToolErrorCode
from .errors import ToolError


@dataclass(frozen=True)
class RateLimiterStatistics:
    rate_per_minute: int
    burst: int
    tokens: float
    admitted: int
    rejected: int


class TokenBucket:
    def __init__(
        self,
        rate_per_minute: int,
        *,
        burst: int | None = None,
        clock: Clock = monotonic,
        name: str = "",
    ) -> None:
        if rate_per_minute < 1:
            raise ValueError(f"rate_per_minute must be at least 1, got {rate_per_minute}")
        self.rate_per_minute = rate_per_minute
        self.burst = rate_per_minute if burst is None else burst
        if self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {self.burst}")
        self.name = name
        self._per_second = rate_per_minute / 60.0
        self._clock = clock
        self._tokens = float(self.burst)
        self._updated = clock()
        self._admitted = 0
        self._rejected = 0

    def try_acquire(self, now: float | None = None) -> bool:
        """Take one token if there is one; never blocks. `now`: the clock, when the caller
        has just read it (a tenant's bucket and the tool's are taken from at one moment)."""
        if now is None:
            now = self._clock()
        if now > self._updated:  # refill inline, no min(): this runs on every call
            tokens = self._tokens + (now - self._updated) * self._per_second
            self._tokens = tokens if tokens < self.burst else float(self.burst)
            self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            self._admitted += 1
            return True
        self._rejected += 1
        return False

    @property
    def rejected(self) -> int:
        return self._rejected

    def acquire_or_fail(self, now: float | None = None) -> None:
        if not self.try_acquire(now):
            raise ToolError(
                ToolErrorCode.RATE_LIMITED,
                f"tool {self.name!r}: rate limit of {self.rate_per_minute}/min reached",
            )

    def statistics(self) -> RateLimiterStatistics:
        self._refill()
        return RateLimiterStatistics(
            rate_per_minute=self.rate_per_minute,
            burst=self.burst,
            tokens=self._tokens,
            admitted=self._admitted,
            rejected=self._rejected,
        )

    def _refill(self) -> None:
        now = self._clock()
        elapsed = now - self._updated
        if elapsed > 0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self._per_second)
            self._updated = now


class TenantRateLimits:
    """A tool's rate limit, shared fairly: each tenant has a bucket of its own holding
    `tenant_share` of the tool's rate and burst (rounded up, at least one), in front of
    the tool-wide bucket that protects the upstream. A tenant's bucket is taken from
    first, so a tenant over its share never spends a token of the shared bucket.
    """

    def __init__(
        self,
        rate_per_minute: int,
        *,
        burst: int | None = None,
        tenant_share: float = 1.0,
        clock: Clock = monotonic,
        name: str = "",
    ) -> None:
        self.tool = TokenBucket(rate_per_minute, burst=burst, clock=clock, name=name)
        self.tenant_rate = max(1, math.ceil(rate_per_minute * tenant_share))
        self.tenant_burst = max(1, math.ceil(self.tool.burst * tenant_share))
        self._clock = clock
        self._name = name
        self._tenants: dict[str, TokenBucket] = {}

    def acquire_or_fail(self, tenant: str) -> None:
        now = self._clock()
        bucket = self._tenants.get(tenant)
        if bucket is None:
            bucket = self._tenants[tenant] = TokenBucket(
                self.tenant_rate, burst=self.tenant_burst, clock=self._clock, name=self._name
            )
        if not bucket.try_acquire(now):
            raise ToolError(
                ToolErrorCode.RATE_LIMITED,
                f"tool {self._name!r}: tenant {tenant!r} reached its share of the rate limit "
                f"({self.tenant_rate}/min)",
            )
        self.tool.acquire_or_fail(now)

    def statistics(self) -> RateLimiterStatistics:
        """The tool-wide bucket's figures, with refusals at a tenant's share counted in."""
        shared = self.tool.statistics()
        refused_at_share = sum(bucket.rejected for bucket in self._tenants.values())
        return replace(shared, rejected=shared.rejected + refused_at_share)
