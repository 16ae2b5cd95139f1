"""The orchestrator: plan → stages → calls → status, top to bottom in this file.

    request ──planner──► plan
    plan.stages, in order:
        each call: dependency failed? unknown tool? request deadline spent? → answered, not run
                   otherwise opened (`CallRun.open`): checks, rate limits, a free bulkhead
                   slot, its first attempt launched in a task of its own
        one loop turn: a call whose attempt has answered and whose lifecycle says done
                   settles at once, with no task of its own
        the rest, in a TaskGroup: one driver task each (`_drive`) does what the call's
                   `CallLifecycle` says (queue for a slot, wait for the attempt, retry,
                   fall back) until done → ToolResult
    results ──aggregate_status──► success | partial | degraded | failed

A call never raises out of its stage: every way it can end is a `ToolResult`. Only
cancellation of `orchestrate` itself propagates: the stage gives up every attempt it
launched, or its TaskGroup cancels every driver; each abandons its attempt (cancelled,
then adopted by the lingering registry if its cleanup is slow), and nothing is left
running unowned.

Why a fast path: most calls answer within a loop turn or two, and a driver task per call
(plus the attempt's own task) cost about half of the engine's throughput. The stage's
turn and the driver run the same `CallRun` steps, so both decide alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from .call_policy import GuardedTool, PolicySettings, ToolStatistics
from .call_run import CallRun
from .clock import Clock, monotonic
from .contracts import (
    CallTrace,
    OrchestrationRequest,
    OrchestrationResponse,
    OrchestrationStatus,
    Plan,
    Stage,
    ToolCall,
    ToolErrorCode,
    ToolResult,
    build_unchecked,
)
from .deadline import LingeringTasks, abandon
from .errors import CapabilityError, PlanningError
from .lifecycle import Attempt, Done, FallBack, Wait
from .metrics import OrchestratorMetrics
from .planner import Planner
from .status import aggregate_status
from .tool import Tool, checked_capability


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
        self._cancel_grace_seconds = settings.cancel_grace_seconds
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
            answers = await self._run_stage(stage, request, authenticated, results, deadline_at)
            for result, call_started in answers:
                self._record(result, stage_index, call_started, started, results, trace)

        ordered = [results[call.call_id] for stage in plan.stages for call in stage.calls]
        return self._respond(request, started, ordered, trace)

    async def _run_stage(
        self,
        stage: Stage,
        request: OrchestrationRequest,
        authenticated: bool,
        results: Mapping[str, ToolResult],
        deadline_at: float,
    ) -> list[tuple[ToolResult, float]]:
        """Every call of the stage to its end: (result, when it started), calls refused
        before they ran first, then the others in the stage's order."""
        loop = asyncio.get_running_loop()
        answers: list[tuple[ToolResult, float]] = []
        runs: list[CallRun] = []
        for call in stage.calls:
            now = loop.time()
            refusal = self._refusal(call, results, deadline_at, now)
            if refusal is not None:
                answers.append((refusal, now))
                continue
            dependencies = (
                {dep: results[dep].data for dep in call.depends_on} if call.depends_on else {}
            )
            guarded = self._tools[call.tool_id]
            runs.append(
                CallRun.open(call, guarded, request, authenticated, dependencies, deadline_at, now)
            )
        await self._first_turn(runs)
        now = loop.time()
        unsettled = [run for run in runs if not run.settle_at_once(now)]
        if unsettled:
            # Each driver's first step is queued before the group can be cancelled, so
            # every driver runs, and gives up what its call holds if it is cancelled.
            async with asyncio.TaskGroup() as stage_group:
                for run in unsettled:
                    stage_group.create_task(self._drive(run))
        for run in runs:
            assert run.result is not None  # the group has exited: every call has its answer
            answers.append((run.result, run.started))
        return answers

    async def _first_turn(self, runs: list[CallRun]) -> None:
        """One loop turn for the attempts the stage launched: those that answer at once are
        done by then and settle without a driver. Cancelled here, every call is given up."""
        launched = [run.running.task for run in runs if run.running is not None]
        if not launched:
            return
        try:
            await asyncio.sleep(0)
        except BaseException:
            try:
                await abandon(launched, self._cancel_grace_seconds, self._lingering)
            finally:
                for run in runs:
                    run.abandoned()
            raise

    async def _drive(self, run: CallRun) -> None:
        """Carry one call from where its stage left it to its end, doing what its lifecycle
        says: queue for a slot, wait for its attempt, back off and retry, fall back."""
        guarded = run.guarded
        now = asyncio.get_running_loop().time
        if run.step is None:  # every bulkhead slot was taken
            run.admitted(await guarded.wait_for_slot(run.ctx), now())
        try:
            while True:
                step = run.step
                if isinstance(step, Attempt):
                    if run.running is None:
                        run.launch(now())
                    if run.running is not None:
                        work = await guarded.finish(run.running, run.ctx, step)
                        run.concluded(work, now())
                elif isinstance(step, Wait):
                    await asyncio.sleep(step.seconds)
                    run.step = run.lifecycle.waited(now())
                else:
                    break
        finally:
            run.release()
        if isinstance(run.step, FallBack):
            data, error = await guarded.fall_back(run.call, run.ctx, run.step)
            run.step = run.lifecycle.fell_back(data, error)
        assert isinstance(run.step, Done)  # the loop ends only at Done or FallBack
        run.finish(run.step, now())

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
        # Each field read once: a pydantic model's attribute costs several plain ones.
        call_id, tool_id = result.call_id, result.tool_id
        results[call_id] = result
        end = call_started + result.latency_ms / 1000.0
        trace.append(
            build_unchecked(
                CallTrace,
                call_id=call_id,
                tool_id=tool_id,
                stage=stage_index,
                start_ms=(call_started - started) * 1000.0,
                end_ms=(end - started) * 1000.0,
            )
        )
        if tool_id in self._tools:  # unknown ids come from requests: no label for them
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
