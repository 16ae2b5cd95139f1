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
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class BreakerStatistics:
    state: BreakerState
    consecutive_failures: int
    failure_threshold: int
    cool_down_seconds: float
    times_opened: int
    rejected: int


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        cool_down_seconds: float = 5.0,
        clock: Clock = monotonic,
        name: str = "",
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold}")
        if cool_down_seconds <= 0:
            raise ValueError(f"cool_down_seconds must be positive, got {cool_down_seconds}")
        self.failure_threshold = failure_threshold
        self.cool_down_seconds = cool_down_seconds
        self.name = name
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
        if self._state is BreakerState.CLOSED:
            return
        if self._state is BreakerState.OPEN:
            if not self._cool_down_over():
                self._refuse("open")
            self._state = BreakerState.HALF_OPEN
        if self._probe_in_flight:
            self._refuse("half-open and its probe is still running")
        self._probe_in_flight = True

    def record(self, code: ToolErrorCode | None) -> None:
        """Report an admitted call's outcome: None for success, else its error code."""
        probing, self._probe_in_flight = self._probe_in_flight, False
        if code is None:
            self._state = BreakerState.CLOSED
            self._failures = 0
        elif code in UPSTREAM_FAILURES:
            self._failures += 1
            if probing or self._failures >= self.failure_threshold:
                self._open()
        # Any other outcome is neutral; a half-open breaker simply admits the next probe.

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
        raise CircuitOpen(
            f"tool {self.name!r}: circuit breaker is {why} after "
            f"{self._failures} consecutive upstream failures; failing fast"
        )
