"""The orchestrator: plan → stages → calls → status, top to bottom in this file.

    request ──planner──► plan
    plan.stages, in order:
        each call: dependency failed? unknown tool? request deadline spent? → answered, not run
                   otherwise GuardedTool.start: checks, rate limit, bulkhead, breaker, and
                   the tool's work launched in its own task
        one loop turn: calls already answered settle at once (GuardedTool.settled)
        the rest: a TaskGroup of supervising tasks (deadline, retry, fallback) → ToolResult
    results ──aggregate_status──► success | partial | degraded | failed

A call never raises out of its stage: every way it can end is a `ToolResult`. Only
cancellation of `orchestrate` itself propagates, and it cancels every call with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from .call_policy import CallRun, GuardedTool, PolicySettings, ToolStatistics
from .capabilities import CapabilityRegistry, ToolCapability
from .clock import Clock, monotonic
from .contracts import (
    CallTrace,
    OrchestrationRequest,
    OrchestrationResponse,
    OrchestrationStatus,
    ToolCall,
    ToolErrorCode,
    ToolResult,
    build_unchecked,
)
from .deadline import LingeringTasks, abandon
from .errors import CapabilityError, PlanningError
from .metrics import OrchestratorMetrics
from .planner import Planner
from .status import aggregate_status
from .tool import Tool


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
    ) -> None:
        if request_deadline_seconds <= 0:
            raise ValueError(
                f"request_deadline_seconds must be positive, got {request_deadline_seconds}"
            )
        self.planner = planner if planner is not None else Planner()
        self.metrics = metrics if metrics is not None else OrchestratorMetrics()
        self.request_deadline_seconds = request_deadline_seconds
        self.capabilities = CapabilityRegistry()
        self._lingering = LingeringTasks()
        self._tools: dict[str, GuardedTool] = {}
        settings = policy if policy is not None else PolicySettings()
        self._grace_seconds = settings.cancel_grace_seconds
        for tool in tools:
            self.capabilities.register(_checked_capability(tool))
            self._tools[tool.capability.tool_id] = GuardedTool(
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
    ) -> OrchestrationResponse:
        """Answer one request; never raises for a bad request or a failing tool."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            plan = self.planner.plan(request)
        except PlanningError as exc:
            return self._respond(request, started, [], [], error_message=str(exc))
        deadline_at = started + (request.deadline_seconds or self.request_deadline_seconds)

        results: dict[str, ToolResult] = {}
        trace: list[CallTrace] = []
        for stage_index, stage in enumerate(plan.stages):
            runs: list[tuple[GuardedTool, CallRun]] = []
            for call in stage.calls:
                now = loop.time()
                refusal = self._refusal(call, results, deadline_at, now)
                if refusal is not None:
                    self._record(refusal, stage_index, now, started, results, trace)
                    continue
                guarded = self._tools[call.tool_id]
                runs.append(
                    (
                        guarded,
                        guarded.start(
                            call,
                            request_id=request.request_id,
                            tenant_id=request.tenant_id,
                            authenticated=authenticated,
                            request_deadline_at=deadline_at,
                            loop=loop,
                            dependency_outputs={dep: results[dep].data for dep in call.depends_on},
                        ),
                    )
                )
            await self._first_turn(runs)
            unsettled: list[tuple[GuardedTool, CallRun]] = []
            for guarded, run in runs:
                result = guarded.settled(run)
                if result is None:  # still running, or a retry or fallback to await
                    unsettled.append((guarded, run))
                else:
                    self._record(result, stage_index, run.started, started, results, trace)
            if unsettled:
                async with asyncio.TaskGroup() as stage_group:
                    supervised = [
                        (run, stage_group.create_task(guarded.finish(run)))
                        for guarded, run in unsettled
                    ]
                # The group has exited: every call of this stage has its answer.
                for run, task in supervised:
                    self._record(task.result(), stage_index, run.started, started, results, trace)

        ordered = [results[call.call_id] for stage in plan.stages for call in stage.calls]
        return self._respond(request, started, ordered, trace)

    async def _first_turn(self, runs: list[tuple[GuardedTool, CallRun]]) -> None:
        """One loop turn for the attempts just launched: those that answer at once settle
        without a supervising task. Cancelled here, every started call is given up."""
        if not any(run.work is not None for _, run in runs):
            return
        try:
            await asyncio.sleep(0)
        except BaseException:
            attempts = [work for guarded, run in runs if (work := guarded.abort(run)) is not None]
            await abandon(attempts, self._grace_seconds, self._lingering)
            raise

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


def _checked_capability(tool: Any) -> ToolCapability:
    capability = getattr(tool, "capability", None)
    name = type(tool).__name__
    if not isinstance(capability, ToolCapability):
        raise CapabilityError(
            f"tool {name}: 'capability' must be a ToolCapability, got {capability!r}"
        )
    if not callable(getattr(tool, "run", None)):
        raise CapabilityError(f"tool {capability.tool_id!r}: has no run(arguments, ctx) method")
    if capability.fallback_enabled and not callable(getattr(tool, "fallback", None)):
        raise CapabilityError(
            f"tool {capability.tool_id!r}: fallback_enabled is set but it has no fallback() method"
        )
    return capability


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
