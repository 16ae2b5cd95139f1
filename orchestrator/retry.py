"""Bounded retry of idempotent reads: a pure decision, no I/O.

Only transient upstream failures are retried, only for tools whose capability is
idempotent, only up to `max_attempts`, and only while the call's deadline leaves
room for the backoff plus a useful attempt. A timeout is never retried: it means
the deadline itself is spent.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract import ErrorClass, codes_of

from .contracts import ToolErrorCode

TRANSIENT_CODES = codes_of(ErrorClass.TRANSIENT)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    base_delay_seconds: float = 0.02
    max_delay_seconds: float = 0.5
    multiplier: float = 2.0
    # An attempt given less time than this is not worth starting.
    min_attempt_seconds: float = 0.05

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.base_delay_seconds < 0 or self.max_delay_seconds < 0:
            raise ValueError("retry delays must not be negative")

    def backoff(self, attempts_made: int) -> float:
        """Delay before attempt number `attempts_made + 1`."""
        delay = self.base_delay_seconds * self.multiplier ** (attempts_made - 1)
        return min(delay, self.max_delay_seconds)

    def next_delay(
        self,
        *,
        attempts_made: int,
        code: ToolErrorCode,
        idempotent: bool,
        seconds_left: float,
    ) -> float | None:
        """Seconds to wait before retrying, or None when the call should not be retried."""
        if not idempotent or code not in TRANSIENT_CODES or attempts_made >= self.max_attempts:
            return None
        delay = self.backoff(attempts_made)
        if seconds_left - delay < self.min_attempt_seconds:
            return None
        return delay
