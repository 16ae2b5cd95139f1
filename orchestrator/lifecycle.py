"""A call's life as a pure decision: what to do next, given what just happened.

    start ──refused──────────────────────────────► fall back? ──► done
      │                                                 ▲
      ▼                                                 │ (not security, fallback offered,
    attempt ──ok──────────────────────────────► done    │  request deadline not spent)
      │   ▲                                             │
      │   └── wait(backoff) ◄── transient, idempotent, ─┤
      │                         room left for a try     │
      └──failed─────────────────────────────────────────┘

No I/O, no asyncio, no clock of its own: every step is told the time. The driver in
`executor.py` awaits what a step says (an attempt, a wait, a fallback) and reports back.
A refusal (security check, rate limit, bulkhead, open breaker) is not an attempt: it is
never retried. A security refusal never falls back either, nor does a `FinalRefusal`.

The steps and rules are values: made once, never changed. They are not `frozen`
dataclasses only because a frozen one sets each field through `object.__setattr__`:
several are built per call, and that alone was 7% of the engine's work per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .contracts import ToolErrorCode
from .errors import CircuitOpen, ToolError
from .retry import RetryPolicy


@dataclass(slots=True)
class Attempt:
    """Run the tool once, until `deadline_at` (loop time): the one deadline the attempt and
    the tool it runs are held to."""

    deadline_at: float
    # True when the request's deadline, not the call's own, is what ends the attempt: a
    # timeout then says the caller ran out of time, nothing about the upstream.
    request_bound: bool = False


@dataclass(slots=True)
class Wait:
    seconds: float


@dataclass(slots=True)
class FallBack:
    """Ask the tool's fallback, until `deadline_at` (loop time)."""

    deadline_at: float


@dataclass(slots=True)
class Done:
    data: Any
    error: ToolError | None
    fallback_used: bool = False


Step = Attempt | Wait | FallBack | Done


@dataclass(slots=True)
class CallRules:
    """What one call may do: fixed when it starts."""

    deadline_at: float  # the call's own deadline, never past the request's
    request_deadline_at: float
    retry: RetryPolicy
    idempotent: bool
    # Seconds a fallback may take (still never past the request's deadline); None: none offered.
    fallback_seconds: float | None = None

    def attempt(self) -> Attempt:
        return Attempt(self.deadline_at, self.deadline_at >= self.request_deadline_at)


class CallLifecycle:
    """The decisions for one call. Holds only how many attempts were made and the
    primary failure; each method is one event and returns the next `Step`."""

    __slots__ = ("rules", "attempts", "_failure")

    def __init__(self, rules: CallRules) -> None:
        self.rules = rules
        self.attempts = 0
        self._failure: ToolError | None = None

    def start(self, now: float, refusal: ToolError | None = None) -> Step:
        if refusal is not None:
            return self.refused(refusal, now)
        if now >= self.rules.deadline_at:
            return self.refused(ToolError(ToolErrorCode.TIMEOUT, "no time left to start"), now)
        return self.rules.attempt()

    def attempted(self, data: Any, error: ToolError | None, now: float) -> Step:
        """An attempt ended: with `data`, or with `error` (a timeout included). A
        `CircuitOpen` error means the breaker refused it: no attempt was made."""
        if error is None:
            self.attempts += 1
            return Done(data, None)
        if isinstance(error, CircuitOpen):
            return self.refused(error, now)
        self.attempts += 1
        self._failure = error
        rules = self.rules
        delay = rules.retry.next_delay(
            attempts_made=self.attempts,
            code=error.code,
            idempotent=rules.idempotent,
            seconds_left=rules.deadline_at - now,
        )
        if delay is not None:
            return Wait(delay)
        return self._settle(error, now)

    def refused(self, refusal: ToolError, now: float) -> Step:
        """The call, or its next attempt, was refused before reaching the tool."""
        self._failure = refusal
        return self._settle(refusal, now)

    def waited(self, now: float) -> Step:
        if now + self.rules.retry.min_attempt_seconds > self.rules.deadline_at:
            assert self._failure is not None  # a wait only ever follows a failed attempt
            return self._settle(self._failure, now)  # the wait overran: no room left
        return self.rules.attempt()

    def fell_back(self, data: Any, error: ToolError | None) -> Done:
        """The fallback ended; a failing one keeps the primary error, which says more."""
        if error is None:
            return Done(data, None, fallback_used=True)
        return Done(None, self._failure)

    def _settle(self, error: ToolError, now: float) -> Step:
        rules = self.rules
        if (
            rules.fallback_seconds is not None
            and error.may_fall_back
            and now < rules.request_deadline_at
        ):
            return FallBack(min(now + rules.fallback_seconds, rules.request_deadline_at))
        return Done(None, error)
