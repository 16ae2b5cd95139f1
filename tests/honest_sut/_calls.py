"""One call, start to end: guards, deadline, retries, fallback, and its result record.

    breaker -> token buckets -> bulkhead -> attempts (reads retried) -> fallback

Every call has its own deadline, the call budget or what is left of the request's,
whichever ends first. Security refusals never retry and never fall back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from _db import CallFailed, code_for
from _limits import QUEUE_BUDGET_SECONDS, UPSTREAM_CODES, Refused, ToolGuard

CALL_BUDGET_SECONDS = 2.5
SECURITY_CODES = frozenset({"unsafe_query", "tenant_violation", "unauthenticated"})
LIMIT_CODES = frozenset({"rate_limited", "concurrency_limit", "circuit_open"})
RETRIED_CODES = frozenset({"connection_error", "upstream_error"})
MAX_ATTEMPTS, FIRST_BACKOFF, MAX_BACKOFF, MIN_LEFT = 3, 0.02, 0.5, 0.05

Primary = Callable[[float], Awaitable[Any]]  # takes the seconds left, returns data
Fallback = Callable[[], Awaitable[Any]]


@dataclass
class Call:
    call_id: str
    tool_id: str
    arguments: dict[str, Any] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)


def result(call: Call, started: float, attempts: int, **outcome: Any) -> dict[str, Any]:
    code = outcome.get("error_code")
    return {
        "call_id": call.call_id,
        "tool_id": call.tool_id,
        "success": outcome.get("success", False),
        "data": outcome.get("data"),
        "error_code": code,
        "error_message": outcome.get("error_message"),
        "security_error": code in SECURITY_CODES,
        "fallback_used": outcome.get("fallback_used", False),
        "latency_ms": round((time.monotonic() - started) * 1000, 2),
        "attempts": attempts,
    }


class CallRunner:
    """Runs calls of one tool through that tool's guard."""

    def __init__(self, guard: ToolGuard, retried: bool) -> None:
        self.guard, self.retried = guard, retried

    async def run(
        self, call: Call, tenant: str, deadline: float, primary: Primary, fallback: Fallback | None
    ) -> dict[str, Any]:
        started = time.monotonic()
        budget = min(CALL_BUDGET_SECONDS, deadline - started)
        attempts, failure = 0, None
        breaker = self.guard.breaker(tenant)
        admitted, probe = breaker.admit()
        if budget <= 0:
            failure = CallFailed("timeout", "the request deadline had passed")
        elif not admitted:
            failure = CallFailed("circuit_open", "the tool's breaker is open")
        else:
            try:
                async with asyncio.timeout(budget):
                    data, attempts = await self._guarded(tenant, started + budget, primary)
            except TimeoutError:
                failure = CallFailed("timeout", f"no answer within the call's {budget:.2f} s")
            except CallFailed as exc:
                failure = exc
        if admitted:  # limit refusals are neutral: the upstream was never asked
            neutral = failure is not None and failure.code in LIMIT_CODES
            breaker.record("neutral" if neutral else failure and failure.code, probe)
        if failure is None:
            return result(call, started, attempts, success=True, data=data)
        attempts = max(attempts, 0 if failure.code in LIMIT_CODES else 1)
        return await self._fall_back(call, started, attempts, failure, fallback)

    async def _fall_back(
        self, call: Call, started: float, attempts: int, failure: CallFailed, fallback
    ) -> dict[str, Any]:
        failed = {"error_code": failure.code, "error_message": str(failure)[:500]}
        if fallback is None or failure.code not in UPSTREAM_CODES | LIMIT_CODES:
            return result(call, started, attempts, **failed)
        try:
            data = await fallback()
        except Exception as exc:  # the primary error says more than the fallback's
            failed["error_message"] += f"; fallback failed too: {exc}"[:300]
            return result(call, started, attempts, **failed)
        return result(call, started, attempts, success=True, data=data, fallback_used=True)

    async def _guarded(self, tenant: str, call_end: float, primary: Primary) -> tuple[Any, int]:
        try:
            self.guard.take_token(tenant)
            queue = min(QUEUE_BUDGET_SECONDS, call_end - time.monotonic())
            async with self.guard.bulkhead.slot(tenant, queue):
                return await self._attempts(call_end, primary)
        except Refused as refused:
            raise CallFailed(refused.code, str(refused)) from None

    async def _attempts(self, call_end: float, primary: Primary) -> tuple[Any, int]:
        backoff = FIRST_BACKOFF
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await primary(call_end - time.monotonic()), attempt
            except (CallFailed, TimeoutError):
                raise
            except Exception as exc:
                code = code_for(exc)
                left = call_end - time.monotonic() - backoff
                if not self.retried or code not in RETRIED_CODES or attempt == MAX_ATTEMPTS:
                    raise CallFailed(code, f"{type(exc).__name__}: {exc}") from exc
                if left < MIN_LEFT:
                    raise CallFailed(code, f"{type(exc).__name__}: {exc}") from exc
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
        raise AssertionError("unreachable")
