"""The orchestrator: plan → stages → calls → status, top to bottom in this file.

    request ──planner──► plan
    plan.stages, in order, each in a TaskGroup:
        each call: dependency failed? unknown tool? request deadline spent? → answered, not run
                   otherwise one driver task (`_drive`): admit (checks, rate limits,
                   bulkhead), then whatever its `CallLifecycle` says: attempt, wait, fall
                   back, until done → ToolResult
    results ──aggregate_status──► success | partial | degraded | failed

A call never raises out of its stage: every way it can end is a `ToolResult`. Only
cancellation of `orchestrate` itself propagates: the stage's TaskGroup cancels every
driver, each driver abandons its attempt (cancelled, then adopted by the lingering
registry if its cleanup is slow), and nothing is left running unowned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from .call_policy import GuardedTool, PolicySettings, ToolStatistics
from .clock import Clock, monotonic
from .contracts import (
    CallTrace,
    OrchestrationRequest,
    OrchestrationResponse,
    OrchestrationStatus,
    Plan,
    ToolCall,
    ToolErrorCode,
    ToolResult,
    build_unchecked,
)
from .deadline import LingeringTasks
from .errors import CapabilityError, PlanningError
from .lifecycle import Attempt, CallLifecycle, FallBack, Wait
from .metrics import OrchestratorMetrics
from .planner import Planner
from .status import aggregate_status
from .tool import CallContext, Tool, checked_capability


class Orchestrator:
    def __init__(
        self,
        tools: Iterable[Tool],
        *,
        planner: Planner | None = None,
        metrics: OrchestratorMetrics | None = None,
        request_deadline_seconds: float = 15.0,
        clock: Clock = monotonic,
        policy: PolicySettings | None = None,
        lingering: LingeringTasks,
    ) -> None:
        """`lingering`: the orchestrator's one registry of abandoned work, the same one its
        tools' pools were given (see `deadline.py`); `aclose()` waits for it before closing
        the tools."""
        if request_deadline_seconds <= 0:
            raise ValueError(
                f"request_deadline_seconds must be positive, got {request_deadline_seconds}"
            )
        self.planner = planner if planner is not None else Planner()
        self.metrics = metrics if metrics is not None else OrchestratorMetrics()
        self.request_deadline_seconds = request_deadline_seconds
        self._lingering = lingering
        self._tools: dict[str, GuardedTool] = {}
        settings = policy if policy is not None else PolicySettings()
        for tool in tools:
            tool_id = checked_capability(tool).tool_id
            if tool_id in self._tools:
                raise CapabilityError(f"capability {tool_id!r} is already registered")
            self._tools[tool_id] = GuardedTool(
                tool, settings=settings, lingering=self._lingering, clock=clock
            )
        self.metrics.watch_breakers(
            lambda: {tool_id: guarded.breaker.state for tool_id, guarded in self._tools.items()}
        )

    async def orchestrate(
        self,
        request: OrchestrationRequest,
        *,
        authenticated: bool = True,
        plan: Plan | None = None,
    ) -> OrchestrationResponse:
        """Answer one request; never raises for a bad request or a failing tool.

        `plan` is `self.planner.plan(request)` when the caller has already made it (the
        service does, to refuse what cannot be planned before it counts as an answer);
        otherwise it is made here.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        if plan is None:
            try:
                plan = self.planner.plan(request)
            except PlanningError as exc:
                return self._respond(request, started, [], [], error_message=str(exc))
        deadline_at = started + (request.deadline_seconds or self.request_deadline_seconds)

        results: dict[str, ToolResult] = {}
        trace: list[CallTrace] = []
        for stage_index, stage in enumerate(plan.stages):
            drivers: list[asyncio.Task[tuple[float, ToolResult]]] = []
            async with asyncio.TaskGroup() as stage_group:
                for call in stage.calls:
                    now = loop.time()
                    refusal = self._refusal(call, results, deadline_at, now)
                    if refusal is not None:
                        self._record(refusal, stage_index, now, started, results, trace)
                        continue
                    dependencies = {dep: results[dep].data for dep in call.depends_on}
                    driver = self._drive(call, request, authenticated, dependencies, deadline_at)
                    drivers.append(stage_group.create_task(driver))
            # The group has exited: every call of this stage has its answer.
            for driver in drivers:
                call_started, result = driver.result()
                self._record(result, stage_index, call_started, started, results, trace)

        ordered = [results[call.call_id] for stage in plan.stages for call in stage.calls]
        return self._respond(request, started, ordered, trace)

    async def _drive(
        self,
        call: ToolCall,
        request: OrchestrationRequest,
        authenticated: bool,
        dependencies: Mapping[str, Any],
        request_deadline_at: float,
    ) -> tuple[float, ToolResult]:
        """One call: do what its lifecycle says until it is done. Returns (start, result)."""
        guarded = self._tools[call.tool_id]
        now = asyncio.get_running_loop().time
        started = now()
        rules = guarded.rules(started, request_deadline_at)
        lifecycle = CallLifecycle(rules)
        ctx = CallContext(
            request.request_id,
            request.tenant_id,
            authenticated,
            call.call_id,
            dependencies,
            rules.deadline_at,  # admission waits within it; each step then carries its own
        )
        refusal = await guarded.admit(ctx)
        step = lifecycle.start(now(), refusal)
        try:
            while True:
                if isinstance(step, Attempt):
                    data, error = await guarded.attempt(call, ctx, step)
                    step = lifecycle.attempted(data, error, now())
                elif isinstance(step, Wait):
                    await asyncio.sleep(step.seconds)
                    step = lifecycle.waited(now())
                else:
                    break
        finally:
            if refusal is None:
                guarded.release(ctx)
        if isinstance(step, FallBack):
            data, error = await guarded.fall_back(call, ctx, step)
            step = lifecycle.fell_back(data, error)
        return started, guarded.result(call, step, lifecycle.attempts, started, now())

    def _refusal(
        self,
        call: ToolCall,
        results: Mapping[str, ToolResult],
        deadline_at: float,
        now: float,
    ) -> ToolResult | None:
        """The answer for a call that must not run, or None when it may."""
        failed = call.depends_on and [dep for dep in call.depends_on if not results[dep].success]
        if failed:
            return _failure(
                call, ToolErrorCode.DEPENDENCY_FAILED, f"not run: its dependencies {failed} failed"
            )
        if call.tool_id not in self._tools:
            return _failure(
                call,
                ToolErrorCode.INVALID_ARGUMENTS,
                f"unknown tool {call.tool_id!r}; known tools: {sorted(self._tools)}",
            )
        if now >= deadline_at:
            return _failure(
                call,
                ToolErrorCode.TIMEOUT,
                "not run: the request deadline expired before its stage started",
            )
        return None

    def _record(
        self,
        result: ToolResult,
        stage_index: int,
        call_started: float,
        started: float,
        results: dict[str, ToolResult],
        trace: list[CallTrace],
    ) -> None:
        results[result.call_id] = result
        end = call_started + result.latency_ms / 1000.0
        trace.append(
            build_unchecked(
                CallTrace,
                call_id=result.call_id,
                tool_id=result.tool_id,
                stage=stage_index,
                start_ms=(call_started - started) * 1000.0,
                end_ms=(end - started) * 1000.0,
            )
        )
        if result.tool_id in self._tools:  # unknown ids come from requests: no label for them
            self.metrics.observe_call(result)

    def _respond(
        self,
        request: OrchestrationRequest,
        started: float,
        results: list[ToolResult],
        trace: list[CallTrace],
        *,
        error_message: str | None = None,
    ) -> OrchestrationResponse:
        status = aggregate_status(results)
        latency_ms = (asyncio.get_running_loop().time() - started) * 1000.0
        self.metrics.observe_request(status, latency_ms)
        if error_message is None and status is OrchestrationStatus.FAILED:
            error_message = "every call failed" if results else "the plan had no calls"
        # dicts as ordered sets: a tool called twice is listed once
        successful: dict[str, None] = {}
        failed: dict[str, None] = {}
        fallback: dict[str, None] = {}
        for result in results:
            if not result.success:
                failed[result.tool_id] = None
            elif result.fallback_used:
                fallback[result.tool_id] = None
            else:
                successful[result.tool_id] = None
        return build_unchecked(
            OrchestrationResponse,
            request_id=request.request_id,
            tenant_id=request.tenant_id,
            status=status,
            results=results,
            successful_tools=list(successful),
            failed_tools=list(failed),
            fallback_tools=list(fallback),
            error_message=error_message,
            trace=trace,
            latency_ms=latency_ms,
        )

    @property
    def tool_ids(self) -> frozenset[str]:
        """The tools this orchestrator can call: the service refuses plans naming others."""
        return frozenset(self._tools)

    def statistics(self) -> dict[str, ToolStatistics]:
        """Bulkhead, rate limiter and breaker state per tool, as frozen records."""
        return {tool_id: guarded.statistics() for tool_id, guarded in self._tools.items()}

    @property
    def lingering_calls(self) -> int:
        """Cancelled calls whose cleanup is still running (see `deadline.py`)."""
        return len(self._lingering)

    async def aclose(self, timeout_seconds: float | None = None) -> int:
        """Wait for lingering cleanups, then close every tool that has an `aclose()`.

        Returns how many cleanups were still running when `timeout_seconds` ran out.
        """
        still_running = await self._lingering.aclose(timeout_seconds)
        for guarded in self._tools.values():
            close = getattr(guarded.tool, "aclose", None)
            if callable(close):
                await close()
        return still_running

    async def __aenter__(self) -> Orchestrator:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _failure(call: ToolCall, code: ToolErrorCode, message: str) -> ToolResult:
    return build_unchecked(
        ToolResult,
        call_id=call.call_id,
        tool_id=call.tool_id,
        success=False,
        data=None,
        error_code=code,
        error_message=message,
        security_error=False,
        fallback_used=False,
        latency_ms=0.0,
        attempts=0,
    )
