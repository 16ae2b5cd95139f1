"""One tool behind its execution policy: the steps a call's driver takes, one method each.

The order is the policy (`call_run.CallRun` and the driver in `executor.py` follow it):
    try_admit: authentication and tenant checks   (security refusals: never retried, never
               fall back); rate limit, the tenant's then the tool's   (token buckets, fail
               fast); bulkhead, the tenant's share then a free slot
    wait_for_slot: only when every slot is taken   (bounded concurrency, short queue wait)
    launch, finish, conclude: one attempt behind the breaker, in a task of its own held to
             the deadline its `Attempt` step carries, retried when `CallLifecycle` says so;
             result-size cap
    release: the bulkhead slot, whatever happened, before any fallback (which runs outside it)
    fall_back: when the primary path failed for a non-security reason and the tool has one
               (inside what is left of the request's deadline; result-size cap)
    result: the `ToolResult` the lifecycle ended with

Fairness between tenants: a tenant may hold at most `tenant_share` of a tool's bulkhead
slots and of its rate (rounded up, at least one), so one tenant's flood is refused at its
share while the other tenants keep the rest. The tool-wide limits still bound the upstream.
Likewise the breaker: a tenant's upstream failures open its own breaker, and count for at
most that share of the shared one's threshold (`breaker.TenantBreakers`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from .breaker import BreakerStatistics, TenantBreakers
from .bulkhead import Bulkhead, BulkheadStatistics
from .clock import Clock, monotonic
from .contracts import ToolCall, ToolErrorCode, ToolResult, build_unchecked
from .deadline import LingeringTasks, RunningWork, run_within_deadline
from .errors import CircuitOpen, ToolError
from .guards import check_caller, result_size_error
from .lifecycle import Attempt, CallRules, Done, FallBack
from .rate_limit import RateLimiterStatistics, TenantRateLimits
from .retry import RetryPolicy
from .tool import CallContext, Tool

# The tools give up 50 ms before the budget they are given (the statement timeout, the
# pool's wait: `tools/_tenant_tx.py`, `tools/_guarded_pool.py`); a failure of a call bounded
# by the caller's deadline that comes this close to it was caused by that deadline.
CALLER_BUDGET_MARGIN_SECONDS = 0.1


class Admission(Enum):
    WAIT_FOR_SLOT = "every bulkhead slot is taken: queue for one"


# Compared once per call: a module constant costs a fraction of the enum's attribute lookup.
WAIT_FOR_SLOT = Admission.WAIT_FOR_SLOT


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
    # The most of a tool's bulkhead slots and rate one tenant may use (1.0: no fairness).
    tenant_share: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.tenant_share <= 1:
            raise ValueError(f"tenant_share must be in (0, 1], got {self.tenant_share}")


class GuardedTool:
    """A tool behind its policy: bulkhead, rate limits and breaker, shared by its calls."""

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
        # Read on every call; a pydantic model's attribute costs several plain ones.
        self._timeout_seconds = capability.timeout_seconds
        self._idempotent = capability.capability_type.idempotent
        self._serves_every_tenant = capability.supported_tenants is None
        self._fallback_seconds = capability.timeout_seconds if capability.fallback_enabled else None
        self.bulkhead = Bulkhead(
            capability.max_concurrent_calls,
            queue_budget_seconds=settings.queue_budget_seconds,
            tenant_share=settings.tenant_share,
            name=self.tool_id,
        )
        self.rate_limits = (
            TenantRateLimits(
                capability.rate_limit_per_minute,
                burst=capability.rate_limit_burst,
                tenant_share=settings.tenant_share,
                clock=clock,
                name=self.tool_id,
            )
            if capability.rate_limit_per_minute is not None
            else None
        )
        self.breaker = TenantBreakers(
            failure_threshold=settings.breaker_failure_threshold,
            cool_down_seconds=settings.breaker_cool_down_seconds,
            tenant_share=settings.tenant_share,
            clock=clock,
            name=self.tool_id,
        )

    def rules(self, started: float, request_deadline_at: float) -> CallRules:
        own_deadline = started + self._timeout_seconds
        # In field order, not by keyword: a call by keyword costs twice as much, once per call.
        return CallRules(
            min(own_deadline, request_deadline_at),
            request_deadline_at,
            self._settings.retry,
            self._idempotent,
            self._fallback_seconds,
        )

    def try_admit(self, ctx: CallContext) -> ToolError | None | Admission:
        """Checks, rate limits and a free bulkhead slot: None when admitted (then `release`
        the slot), the refusal, or `Admission.WAIT_FOR_SLOT` when every slot is taken and
        the call may queue for one (`wait_for_slot`)."""
        try:
            if not (ctx.authenticated and self._serves_every_tenant):  # else nothing to check
                check_caller(
                    self.capability, tenant_id=ctx.tenant_id, authenticated=ctx.authenticated
                )
            if self.rate_limits is not None:
                self.rate_limits.acquire_or_fail(ctx.tenant_id)
            if not self.bulkhead.try_acquire(ctx.tenant_id):
                return WAIT_FOR_SLOT
        except ToolError as refusal:
            return refusal
        return None

    async def wait_for_slot(self, ctx: CallContext) -> ToolError | None:
        """Queue for a bulkhead slot within the queue budget (never past the call's deadline):
        None once it holds one, else the refusal."""
        loop_time = asyncio.get_running_loop().time()
        budget = min(self._settings.queue_budget_seconds, ctx.deadline_at - loop_time)
        try:
            await self.bulkhead.acquire(budget, ctx.tenant_id)
        except ToolError as refusal:
            return refusal
        return None

    def release(self, ctx: CallContext) -> None:
        self.bulkhead.release(ctx.tenant_id)

    def launch(
        self, call: ToolCall, ctx: CallContext, step: Attempt
    ) -> RunningWork[Any] | CircuitOpen:
        """Start one attempt behind the breaker, its task held to the deadline `step`
        carries (the tool sees it in its context), or the breaker's refusal: nothing then
        reached the tool. Its end is read by `conclude`, once `finish` has waited for it."""
        ctx = _with_deadline(ctx, step.deadline_at)
        try:
            self.breaker.admit(ctx.tenant_id)
        except CircuitOpen as refusal:
            return refusal
        return RunningWork(self.tool.run(call.arguments, ctx))

    async def finish(
        self, running: RunningWork[Any], ctx: CallContext, step: Attempt
    ) -> asyncio.Task[Any] | None:
        """Wait for a launched attempt until its deadline: its task once ended, None if the
        deadline came first (then it is abandoned, see `deadline.py`)."""
        try:
            return await running.wait(
                step.deadline_at,
                grace_seconds=self._settings.cancel_grace_seconds,
                lingering=self._lingering,
            )
        except BaseException:
            self.abandoned(ctx)
            raise

    def abandoned(self, ctx: CallContext) -> None:
        """A launched attempt was given up because its caller was cancelled: neutral for the
        breaker (a probe it was is given back by recording it)."""
        self.breaker.record(ctx.tenant_id, ToolErrorCode.CANCELLED)

    def conclude(
        self, work: asyncio.Task[Any] | None, ctx: CallContext, step: Attempt
    ) -> tuple[Any, ToolError | None]:
        """An attempt's data or its error, from its ended task (None: the deadline came
        first); the breaker learns what it says about the upstream."""
        if work is not None:
            data, error = _outcome(work, self.tool_id)
        else:
            data, error = None, self._timed_out(step)
        if error is None:
            self.breaker.record(ctx.tenant_id, None)
            return data, result_size_error(self.capability, data)
        self.breaker.record(ctx.tenant_id, self._health_outcome(error, step))
        return data, error

    async def fall_back(
        self, call: ToolCall, ctx: CallContext, step: FallBack
    ) -> tuple[Any, ToolError | None]:
        """The tool's fallback, held to the deadline `step` carries."""
        work = await run_within_deadline(
            self.tool.fallback(call.arguments, _with_deadline(ctx, step.deadline_at)),
            step.deadline_at,
            grace_seconds=self._settings.cancel_grace_seconds,
            lingering=self._lingering,
        )
        if work is None:  # the lifecycle keeps the primary error: this one is never shown
            return None, ToolError(ToolErrorCode.TIMEOUT, "the fallback timed out")
        data, error = _outcome(work, self.tool_id)
        return data, error or result_size_error(self.capability, data)

    def result(
        self, call: ToolCall, done: Done, attempts: int, started: float, ended: float
    ) -> ToolResult:
        error = done.error
        return build_unchecked(
            ToolResult,
            call_id=call.call_id,
            tool_id=self.tool_id,  # the call's, without reading its (pydantic) field
            success=error is None,
            data=done.data if error is None else None,
            error_code=error.code if error else None,
            error_message=error.message if error else None,
            security_error=bool(error and error.is_security),
            fallback_used=done.fallback_used,
            latency_ms=(ended - started) * 1000.0,
            attempts=attempts,
        )

    def statistics(self) -> ToolStatistics:
        return ToolStatistics(
            tool_id=self.tool_id,
            bulkhead=self.bulkhead.statistics(),
            rate_limiter=self.rate_limits.statistics() if self.rate_limits else None,
            breaker=self.breaker.statistics(),
        )

    def _health_outcome(self, error: ToolError, step: Attempt) -> ToolErrorCode:
        """What the attempt says about the upstream's health, for the breaker.

        A failure as the caller's own budget runs out (the attempt was bounded by the
        request's deadline, not by the call's, and that deadline is at most
        `CALLER_BUDGET_MARGIN_SECONDS` away) says nothing about the upstream: a caller
        asking for 4 ms would otherwise switch the tool off for every tenant. It is
        neutral, like a cancellation. The margin covers the tools giving up a little before
        the budget they are given (the statement timeout, the pool's wait); a failure met
        earlier, such as a refused connection, still counts."""
        left = step.deadline_at - asyncio.get_running_loop().time()
        if step.request_bound and left <= CALLER_BUDGET_MARGIN_SECONDS:
            return ToolErrorCode.CANCELLED
        return error.code

    def _timed_out(self, step: Attempt) -> ToolError:
        budget = (
            "the request deadline"
            if step.request_bound
            else f"its {self.capability.timeout_seconds:g} s deadline"
        )
        return ToolError(ToolErrorCode.TIMEOUT, f"tool {self.tool_id!r} was cancelled at {budget}")


def _with_deadline(ctx: CallContext, deadline_at: float) -> CallContext:
    # `replace` is costly on the hot path, and a first attempt keeps the call's deadline.
    return ctx if ctx.deadline_at == deadline_at else replace(ctx, deadline_at=deadline_at)


def _outcome(work: asyncio.Task[Any], tool_id: str) -> tuple[Any, ToolError | None]:
    """Read a finished task; every way it can end maps to one error code."""
    try:
        return work.result(), None
    except ToolError as error:
        return None, error
    except asyncio.CancelledError:  # not ours: we only cancel attempts we abandon
        return None, ToolError(ToolErrorCode.CANCELLED, f"tool {tool_id!r} cancelled its own work")
    except TimeoutError:
        return None, ToolError(ToolErrorCode.TIMEOUT, f"tool {tool_id!r}: its upstream timed out")
    except Exception as exc:
        return None, ToolError(
            ToolErrorCode.INTERNAL_ERROR, f"tool {tool_id!r} raised {type(exc).__name__}: {exc}"
        )
