"""One tool behind its execution policy: every call goes through a `GuardedTool`.

The order is the policy:
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

from .breaker import BreakerStatistics, CircuitBreaker
from .bulkhead import Bulkhead, BulkheadStatistics
from .clock import Clock, monotonic
from .contracts import ToolCall, ToolErrorCode, ToolResult, build_unchecked
from .deadline import LingeringTasks, run_within_deadline, wait_within_deadline
from .errors import CircuitOpen, ToolError
from .guards import check_caller, result_size_error
from .rate_limit import RateLimiterStatistics, TokenBucket
from .retry import RetryPolicy
from .tool import CallContext, Tool


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


@dataclass(slots=True)
class CallRun:
    """One call on its way through the policy; `GuardedTool` moves it along."""

    call: ToolCall
    ctx: CallContext
    loop: asyncio.AbstractEventLoop
    started: float
    deadline_at: float
    request_deadline_at: float
    cut_by_request: bool  # the request's deadline comes before the tool's own
    attempts: int = 0
    work: asyncio.Task[Any] | None = None  # the attempt in flight
    waits_for_slot: bool = False  # the bulkhead was full: queue for a slot first
    holds_slot: bool = False
    data: Any = None
    error: ToolError | None = None  # the latest attempt's failure, or a refusal
    fallback_used: bool = False


class GuardedTool:
    """A tool behind its policy. A call is `start`ed (synchronous: checks, limits, and
    the first attempt launched in its own task), then either `settled` at once or
    `finish`ed by awaiting (deadline, retries, fallback)."""

    def __init__(
        self,
        tool: Tool,
        *,
        settings: PolicySettings,
        lingering: LingeringTasks,
        clock: Clock = monotonic,
    ) -> None:
        self.tool = tool
        self.capability = capability = tool.capability
        self.tool_id = capability.tool_id
        self._settings = settings
        self._lingering = lingering
        self._idempotent = capability.capability_type.idempotent
        self.bulkhead = Bulkhead(
            capability.max_concurrent_calls,
            queue_budget_seconds=settings.queue_budget_seconds,
            name=self.tool_id,
        )
        self.rate_limiter = (
            TokenBucket(
                capability.rate_limit_per_minute,
                burst=capability.rate_limit_burst,
                clock=clock,
                name=self.tool_id,
            )
            if capability.rate_limit_per_minute is not None
            else None
        )
        self.breaker = CircuitBreaker(
            failure_threshold=settings.breaker_failure_threshold,
            cool_down_seconds=settings.breaker_cool_down_seconds,
            clock=clock,
            name=self.tool_id,
        )

    def statistics(self) -> ToolStatistics:
        return ToolStatistics(
            tool_id=self.tool_id,
            bulkhead=self.bulkhead.statistics(),
            rate_limiter=self.rate_limiter.statistics() if self.rate_limiter else None,
            breaker=self.breaker.statistics(),
        )

    async def call(
        self,
        call: ToolCall,
        *,
        request_id: str,
        tenant_id: str,
        authenticated: bool,
        dependency_outputs: Mapping[str, Any],
        request_deadline_at: float,
    ) -> ToolResult:
        """Run one call under the whole policy; cancellation propagates."""
        run = self.start(
            call,
            request_id=request_id,
            tenant_id=tenant_id,
            authenticated=authenticated,
            dependency_outputs=dependency_outputs,
            request_deadline_at=request_deadline_at,
        )
        return await self.finish(run)

    def start(
        self,
        call: ToolCall,
        *,
        request_id: str,
        tenant_id: str,
        authenticated: bool,
        dependency_outputs: Mapping[str, Any],
        request_deadline_at: float,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> CallRun:
        """Security checks, rate limit, bulkhead, and the first attempt launched; never awaits."""
        loop = loop or asyncio.get_running_loop()
        started = loop.time()
        own_deadline = started + self.capability.timeout_seconds
        deadline_at = own_deadline if own_deadline < request_deadline_at else request_deadline_at
        ctx = CallContext(
            request_id,
            tenant_id,
            authenticated,
            call.call_id,
            dependency_outputs,
            deadline_at - started,
        )
        run = CallRun(
            call, ctx, loop, started, deadline_at, request_deadline_at, deadline_at < own_deadline
        )
        try:
            check_caller(self.capability, tenant_id=tenant_id, authenticated=authenticated)
            if self.rate_limiter is not None:
                self.rate_limiter.acquire_or_fail()
            if self.bulkhead.try_acquire():
                run.holds_slot = True
                self._launch(run)
            else:
                run.waits_for_slot = True
        except ToolError as refusal:
            run.error = refusal
        return run

    def settled(self, run: CallRun) -> ToolResult | None:
        """The call's result if nothing is left to await (no attempt running, no retry,
        no fallback); otherwise None, and the call must be `finish`ed."""
        if run.waits_for_slot or (run.work is not None and not run.work.done()):
            return None
        if run.work is not None:
            self._take_outcome(run)
        if run.error is not None and (self._retry_delay(run) is not None or self._falls_back(run)):
            return None
        return self._conclude(run)

    async def finish(self, run: CallRun) -> ToolResult:
        loop = run.loop
        try:
            if run.waits_for_slot:
                await self._queue_for_slot(run, loop)
            while True:
                if run.work is not None:
                    if await wait_within_deadline(
                        run.work,
                        run.deadline_at,
                        lingering=self._lingering,
                        grace_seconds=self._settings.cancel_grace_seconds,
                    ):
                        self._take_outcome(run)
                    else:
                        self._time_out(run)
                delay = self._retry_delay(run)
                if delay is None:
                    break
                await asyncio.sleep(delay)
                self._launch(run)
        except ToolError as refusal:  # bulkhead full, or breaker open before a retry
            run.error = refusal
        except BaseException:
            if run.work is not None:  # cancelled from outside mid-attempt: neutral for the breaker
                run.work = None
                self.breaker.record(ToolErrorCode.CANCELLED)
            self._release_slot(run)
            raise
        if self._falls_back(run):
            await self._fall_back(run, loop)
        return self._conclude(run)

    def abort(self, run: CallRun) -> asyncio.Task[Any] | None:
        """Give up on a started call (the request was cancelled); returns the attempt to cancel."""
        work, run.work = run.work, None
        if work is not None:
            self.breaker.record(ToolErrorCode.CANCELLED)
        self._release_slot(run)
        return work

    async def _queue_for_slot(self, run: CallRun, loop: asyncio.AbstractEventLoop) -> None:
        budget = min(self._settings.queue_budget_seconds, run.deadline_at - loop.time())
        await self.bulkhead.acquire(budget)
        run.waits_for_slot, run.holds_slot = False, True
        self._launch(run)

    def _launch(self, run: CallRun) -> None:
        self.breaker.admit()  # raises CircuitOpen: fail fast, no attempt
        run.attempts += 1
        run.error = None
        run.work = run.loop.create_task(self.tool.run(run.call.arguments, run.ctx))

    def _take_outcome(self, run: CallRun) -> None:
        """Read a finished attempt; every way it can end maps to one error code."""
        work, run.work = run.work, None
        assert work is not None
        try:
            run.data, run.error = work.result(), None
        except ToolError as error:
            run.error = error
        except asyncio.CancelledError:  # not ours: we only cancel attempts we abandon
            run.error = ToolError(
                ToolErrorCode.CANCELLED, f"tool {self.tool_id!r} cancelled its own work"
            )
        except TimeoutError:
            run.error = ToolError(
                ToolErrorCode.TIMEOUT, f"tool {self.tool_id!r}: its upstream timed out"
            )
        except Exception as exc:
            run.error = ToolError(
                ToolErrorCode.INTERNAL_ERROR,
                f"tool {self.tool_id!r} raised {type(exc).__name__}: {exc}",
            )
        self.breaker.record(run.error.code if run.error else None)
        if run.error is None:
            run.error = result_size_error(self.capability, run.data)

    def _time_out(self, run: CallRun) -> None:
        run.work = None
        budget = (
            "the request deadline"
            if run.cut_by_request
            else (f"its {self.capability.timeout_seconds:g} s deadline")
        )
        run.error = ToolError(
            ToolErrorCode.TIMEOUT, f"tool {self.tool_id!r} was cancelled at {budget}"
        )
        self.breaker.record(ToolErrorCode.TIMEOUT)

    def _retry_delay(self, run: CallRun) -> float | None:
        if run.attempts == 0 or isinstance(run.error, CircuitOpen) or run.error is None:
            return None
        return self._settings.retry.next_delay(
            attempts_made=run.attempts,
            code=run.error.code,
            idempotent=self._idempotent,
            seconds_left=run.deadline_at - run.loop.time(),
        )

    def _falls_back(self, run: CallRun) -> bool:
        return (
            run.error is not None and self.capability.fallback_enabled and not run.error.is_security
        )

    async def _fall_back(self, run: CallRun, loop: asyncio.AbstractEventLoop) -> None:
        # The fallback gets a budget of its own (a snapshot is local and quick), but
        # never past the request's deadline.
        deadline_at = min(loop.time() + self.capability.timeout_seconds, run.request_deadline_at)
        try:
            data = await run_within_deadline(
                self.tool.fallback(run.call.arguments, run.ctx),
                deadline_at,
                grace_seconds=self._settings.cancel_grace_seconds,
                lingering=self._lingering,
            )
        except Exception:  # a failing fallback keeps the primary error, which says more
            return
        if result_size_error(self.capability, data) is None:
            run.data, run.error, run.fallback_used = data, None, True

    def _conclude(self, run: CallRun) -> ToolResult:
        self._release_slot(run)
        return _result(run, run.error)

    def _release_slot(self, run: CallRun) -> None:
        if run.holds_slot:
            run.holds_slot = False
            self.bulkhead.release()


def _result(run: CallRun, error: ToolError | None) -> ToolResult:
    call = run.call
    return build_unchecked(
        ToolResult,
        call_id=call.call_id,
        tool_id=call.tool_id,
        success=error is None,
        data=run.data if error is None else None,
        error_code=error.code if error else None,
        error_message=error.message if error else None,
        security_error=bool(error and error.is_security),
        fallback_used=run.fallback_used,
        latency_ms=(run.loop.time() - run.started) * 1000.0,
        attempts=run.attempts,
    )
