"""One tool behind its execution policy: every call goes through `GuardedTool.call`.

The order is the policy, so it reads top to bottom:
    authentication and tenant checks   (security refusals: never retried, never fall back)
    rate limit                         (token bucket, fails fast)
    bulkhead                           (bounded concurrency, short queue wait)
    attempts, each behind the breaker and inside the call's deadline, retried if allowed
    result-size cap
    fallback, when the primary path failed for a non-security reason
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_json

from .breaker import BreakerStatistics, CircuitBreaker
from .bulkhead import Bulkhead, BulkheadStatistics
from .clock import Clock, monotonic
from .contracts import ToolCall, ToolErrorCode, ToolResult
from .deadline import LingeringTasks, run_within_deadline
from .errors import CircuitOpen, SecurityRefusal, ToolError
from .rate_limit import RateLimiterStatistics, TokenBucket
from .retry import RetryPolicy
from .tool import CallContext, Tool

_MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class ToolStatistics:
    tool_id: str
    bulkhead: BulkheadStatistics
    rate_limiter: RateLimiterStatistics | None
    breaker: BreakerStatistics


@dataclass(frozen=True)
class PolicySettings:
    """Knobs the capability does not carry; the same for every tool of an orchestrator."""

    retry: RetryPolicy = RetryPolicy()
    breaker_failure_threshold: int = 5
    breaker_cool_down_seconds: float = 5.0
    queue_budget_seconds: float = 0.05
    # How long a cancelled call may take to clean up before we stop waiting for it.
    cancel_grace_seconds: float = 0.05


class GuardedTool:
    def __init__(
        self, tool: Tool, *, settings: PolicySettings, lingering: LingeringTasks,
        clock: Clock = monotonic,
    ) -> None:
        self.tool = tool
        self.capability = capability = tool.capability
        self.tool_id = capability.tool_id
        self._settings = settings
        self._lingering = lingering
        self._idempotent = capability.capability_type.idempotent
        self._max_result_bytes = int(capability.max_result_size_mb * _MEGABYTE)
        self.bulkhead = Bulkhead(
            capability.max_concurrent_calls, queue_budget_seconds=settings.queue_budget_seconds,
            name=self.tool_id,
        )
        self.rate_limiter = (
            TokenBucket(capability.rate_limit_per_minute, clock=clock, name=self.tool_id)
            if capability.rate_limit_per_minute is not None else None
        )
        self.breaker = CircuitBreaker(
            failure_threshold=settings.breaker_failure_threshold,
            cool_down_seconds=settings.breaker_cool_down_seconds, clock=clock, name=self.tool_id,
        )

    def statistics(self) -> ToolStatistics:
        return ToolStatistics(
            tool_id=self.tool_id,
            bulkhead=self.bulkhead.statistics(),
            rate_limiter=self.rate_limiter.statistics() if self.rate_limiter else None,
            breaker=self.breaker.statistics(),
        )

    async def call(
        self, call: ToolCall, *, request_id: str, tenant_id: str, authenticated: bool,
        dependency_outputs: Mapping[str, Any], request_deadline_at: float,
    ) -> ToolResult:
        """Run one call under the policy; always returns a result (cancellation propagates)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        own_deadline = started + self.capability.timeout_seconds
        deadline_at = min(own_deadline, request_deadline_at)
        ctx = CallContext(
            request_id=request_id, tenant_id=tenant_id, authenticated=authenticated,
            call_id=call.call_id, dependency_outputs=dependency_outputs,
            budget_seconds=deadline_at - started,
        )
        data, attempts, error = await self._primary(call, ctx, deadline_at, own_deadline)
        if error is not None and self.capability.fallback_enabled and not error.is_security:
            fallback_data, fallback_error = await self._fallback(call, ctx, request_deadline_at)
            if fallback_error is None:
                return _result(call, started, loop, attempts, data=fallback_data, fallback=True)
        return _result(call, started, loop, attempts, data=data, error=error)

    async def _primary(
        self, call: ToolCall, ctx: CallContext, deadline_at: float, own_deadline: float,
    ) -> tuple[Any, int, ToolError | None]:
        attempts = 0
        loop = asyncio.get_running_loop()
        try:
            self._check_security(ctx)
            if self.rate_limiter is not None:
                self.rate_limiter.acquire_or_fail()
            await self.bulkhead.acquire(
                min(self._settings.queue_budget_seconds, deadline_at - loop.time())
            )
        except ToolError as error:
            return None, attempts, error
        try:
            while True:
                attempts += 1
                try:
                    self.breaker.admit()
                except CircuitOpen as error:
                    return None, attempts, error
                code: ToolErrorCode | None = ToolErrorCode.CANCELLED  # neutral if cancelled
                try:
                    data = await self._attempt(self.tool.run(call.arguments, ctx), deadline_at,
                                               cut_by_request=deadline_at < own_deadline)
                    code = None
                except ToolError as error:
                    code = error.code
                    delay = self._settings.retry.next_delay(
                        attempts_made=attempts, code=code, idempotent=self._idempotent,
                        seconds_left=deadline_at - loop.time(),
                    )
                    if delay is None:
                        return None, attempts, error
                finally:
                    self.breaker.record(code)
                if code is None:
                    self._check_size(data)
                    return data, attempts, None
                await asyncio.sleep(delay)
        except ToolError as error:  # result too large
            return None, attempts, error
        finally:
            self.bulkhead.release()

    async def _fallback(
        self, call: ToolCall, ctx: CallContext, request_deadline_at: float,
    ) -> tuple[Any, ToolError | None]:
        loop = asyncio.get_running_loop()
        deadline_at = min(loop.time() + self.capability.timeout_seconds, request_deadline_at)
        try:
            data = await self._attempt(self.tool.fallback(call.arguments, ctx), deadline_at,
                                       cut_by_request=False)
            self._check_size(data)
        except ToolError as error:
            return None, error
        return data, None

    async def _attempt(self, work: Any, deadline_at: float, *, cut_by_request: bool) -> Any:
        """One run of the tool, with every way it can end mapped to a `ToolError`."""
        try:
            return await run_within_deadline(
                work, deadline_at, grace_seconds=self._settings.cancel_grace_seconds,
                lingering=self._lingering,
            )
        except ToolError:
            raise
        except TimeoutError:
            budget = "the request deadline" if cut_by_request else (
                f"its {self.capability.timeout_seconds:g} s deadline")
            raise ToolError(ToolErrorCode.TIMEOUT,
                            f"tool {self.tool_id!r} was cancelled at {budget}") from None
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise  # we are being cancelled: not the tool's failure
            raise ToolError(ToolErrorCode.CANCELLED,
                            f"tool {self.tool_id!r} cancelled its own work") from None
        except Exception as exc:
            raise ToolError(ToolErrorCode.INTERNAL_ERROR,
                            f"tool {self.tool_id!r} raised {type(exc).__name__}: {exc}") from exc

    def _check_security(self, ctx: CallContext) -> None:
        if self.capability.requires_authentication and not ctx.authenticated:
            raise SecurityRefusal(ToolErrorCode.UNAUTHENTICATED,
                                  f"tool {self.tool_id!r} requires an authenticated caller")
        if not self.capability.allows_tenant(ctx.tenant_id):
            raise SecurityRefusal(ToolErrorCode.TENANT_VIOLATION,
                                  f"tool {self.tool_id!r} does not serve tenant {ctx.tenant_id!r}")

    def _check_size(self, data: Any) -> None:
        if data is None:
            return
        size = len(to_json(data, fallback=str))
        if size > self._max_result_bytes:
            raise ToolError(
                ToolErrorCode.RESULT_TOO_LARGE,
                f"tool {self.tool_id!r} returned {size} bytes, over its "
                f"{self.capability.max_result_size_mb:g} MB cap",
            )


def _result(
    call: ToolCall, started: float, loop: asyncio.AbstractEventLoop, attempts: int, *,
    data: Any = None, error: ToolError | None = None, fallback: bool = False,
) -> ToolResult:
    # model_construct: these fields are built here, already valid; validation per call is
    # the engine's largest avoidable cost (see bench/engine.py).
    return ToolResult.model_construct(
        call_id=call.call_id, tool_id=call.tool_id, success=error is None,
        data=data if error is None else None,
        error_code=error.code if error else None,
        error_message=error.message if error else None,
        security_error=bool(error and error.is_security),
        fallback_used=fallback,
        latency_ms=(loop.time() - started) * 1000.0,
        attempts=attempts,
    )
