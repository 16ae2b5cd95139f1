"""Circuit breaker: stop calling an upstream that is known to be down.

    closed ──N consecutive upstream failures──► open
    open ──cool-down elapsed──► half_open (admits exactly one probe)
    half_open ──probe succeeds──► closed
    half_open ──probe fails upstream──► open (cool-down restarts)

Only upstream failures (timeout, connection_error, upstream_error) count. What the
caller got wrong says nothing about the upstream's health, so it never counts: a bad
argument, a data error such as a division by zero (the tools map those to
invalid_arguments), an unsafe query, a security refusal. Otherwise one tenant sending
`SELECT 1/0` could switch the tool off for every tenant. A refusal by the breaker itself
is `circuit_open`, never recorded as a failure. Nor is a call cut short by the request's
own deadline (the caller's budget): the policy reports it neutral (`call_policy.py`).

Whose failure it was matters too. A tenant's own expensive statement, cut by its
statement timeout, is an upstream `timeout` like a stalled database's, so each tenant has a
breaker of its own (`TenantBreakers`) beside the tool's shared one: the tenant's breaker
counts all of its upstream failures and refuses that tenant only, while the shared one
counts at most `tenant_share` of its threshold from any one tenant (rounded up). So one
tenant alone never opens the shared breaker; a condition that every tenant meets (an
outage, a lock held against all) opens it once failures come from two tenants or more.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum

from contract import upstream_health_codes

from .clock import Clock, monotonic
from .contracts import ToolErrorCode
from .errors import CircuitOpen

UPSTREAM_FAILURES = upstream_health_codes()


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


# Read twice per call by each breaker: a module constant costs a fraction of the attribute
# lookup on the enum class.
_CLOSED = BreakerState.CLOSED


@dataclass(frozen=True)
class BreakerStatistics:
    state: BreakerState
    consecutive_failures: int
    failure_threshold: int
    cool_down_seconds: float
    times_opened: int
    rejected: int
    tenants_open: int = 0  # how many tenants' own breakers are not closed


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        cool_down_seconds: float = 5.0,
        clock: Clock = monotonic,
        name: str = "",
        scope: str = "",
        max_failures_per_tenant: int | None = None,
    ) -> None:
        """`scope` ends the refusal's message (e.g. "for tenant 'acme'");
        `max_failures_per_tenant`: the most failures of one tenant the streak counts
        (None: every failure counts, whoever saw it)."""
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold}")
        if cool_down_seconds <= 0:
            raise ValueError(f"cool_down_seconds must be positive, got {cool_down_seconds}")
        self.failure_threshold = failure_threshold
        self.cool_down_seconds = cool_down_seconds
        self.name = name
        self.scope = scope
        self.max_failures_per_tenant = max_failures_per_tenant
        self._by_tenant: Counter[str] = Counter()
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False
        self._times_opened = 0
        self._rejected = 0

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._cool_down_over():
            return BreakerState.HALF_OPEN
        return self._state

    def admit(self) -> None:
        """Let a call through, or raise `CircuitOpen` (`circuit_open`)."""
        if self._state is _CLOSED:
            return
        if self._state is BreakerState.OPEN:
            if not self._cool_down_over():
                self._refuse("open")
            self._state = BreakerState.HALF_OPEN
        if self._probe_in_flight:
            self._refuse("half-open and its probe is still running")
        self._probe_in_flight = True

    def abandon(self) -> None:
        """An admitted call did not go ahead after all (another breaker refused it): a
        probe it was is given back, so the next call may probe."""
        self._probe_in_flight = False

    def record(self, code: ToolErrorCode | None, tenant: str | None = None) -> None:
        """Report an admitted call's outcome: None for success, else its error code;
        `tenant`: whose call it was (see `max_failures_per_tenant`)."""
        probing, self._probe_in_flight = self._probe_in_flight, False
        if code is None:
            self._state = _CLOSED
            self._failures = 0
            self._by_tenant.clear()
        elif code in UPSTREAM_FAILURES:
            if probing:
                self._open()
            elif self._counts(tenant):
                self._failures += 1
                if self._failures >= self.failure_threshold:
                    self._open()
        # Any other outcome is neutral; a half-open breaker simply admits the next probe.

    def _counts(self, tenant: str | None) -> bool:
        """Whether this failure joins the streak: not past the tenant's share of it."""
        cap = self.max_failures_per_tenant
        if cap is None or tenant is None:
            return True
        if self._by_tenant[tenant] >= cap:
            return False
        self._by_tenant[tenant] += 1
        return True

    def statistics(self) -> BreakerStatistics:
        return BreakerStatistics(
            state=self.state,
            consecutive_failures=self._failures,
            failure_threshold=self.failure_threshold,
            cool_down_seconds=self.cool_down_seconds,
            times_opened=self._times_opened,
            rejected=self._rejected,
        )

    def _open(self) -> None:
        if self._state is not BreakerState.OPEN:
            self._times_opened += 1
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()

    def _cool_down_over(self) -> bool:
        return self._clock() - self._opened_at >= self.cool_down_seconds

    def _refuse(self, why: str) -> None:
        self._rejected += 1
        scope = f" {self.scope}" if self.scope else ""
        raise CircuitOpen(
            f"tool {self.name!r}: circuit breaker is {why}{scope} after "
            f"{self._failures} consecutive upstream failures; failing fast"
        )


class TenantBreakers:
    """A tool's breakers: one per tenant, and the tool's shared one behind them.

    A call must pass its tenant's breaker, then the shared one. Its outcome is recorded in
    both; the shared breaker counts at most `tenant_share` of its threshold (rounded up, at
    least one) from any one tenant's failures in a row, so with a share below 1 one tenant
    alone can open only its own breaker.
    """

    def __init__(
        self,
        *,
        failure_threshold: int,
        cool_down_seconds: float,
        tenant_share: float = 1.0,
        clock: Clock = monotonic,
        name: str = "",
    ) -> None:
        self._settings = {
            "failure_threshold": failure_threshold,
            "cool_down_seconds": cool_down_seconds,
            "clock": clock,
            "name": name,
        }
        self.max_failures_per_tenant = max(1, math.ceil(failure_threshold * tenant_share))
        self.shared = CircuitBreaker(
            **self._settings, max_failures_per_tenant=self.max_failures_per_tenant
        )
        self._tenants: dict[str, CircuitBreaker] = {}

    @property
    def state(self) -> BreakerState:
        """The shared breaker's state: what every tenant meets."""
        return self.shared.state

    def admit(self, tenant: str) -> None:
        """Let the tenant's call through both breakers, or raise `CircuitOpen`."""
        own = self._tenants.get(tenant) or self.of(tenant)  # `of`: a tenant not seen yet
        own.admit()
        try:
            self.shared.admit()
        except CircuitOpen:
            own.abandon()
            raise

    def record(self, tenant: str, code: ToolErrorCode | None) -> None:
        own = self._tenants.get(tenant) or self.of(tenant)
        own.record(code)
        self.shared.record(code, tenant)

    def of(self, tenant: str) -> CircuitBreaker:
        """The tenant's own breaker (closed until its own calls open it)."""
        own = self._tenants.get(tenant)
        if own is None:
            own = self._tenants[tenant] = CircuitBreaker(
                **self._settings, scope=f"for tenant {tenant!r}"
            )
        return own

    def statistics(self) -> BreakerStatistics:
        """The shared breaker's figures, with refusals by a tenant's breaker counted in."""
        shared = self.shared.statistics()
        refused = sum(own.statistics().rejected for own in self._tenants.values())
        # A count, no names: which tenants fail is their own business.
        tenants_open = sum(own.state is not BreakerState.CLOSED for own in self._tenants.values())
        return replace(shared, rejected=shared.rejected + refused, tenants_open=tenants_open)
