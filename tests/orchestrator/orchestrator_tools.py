"""In-process tools whose latency and failures the orchestrator tests control."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from orchestrator import (
    CallContext,
    CapabilityType,
    OrchestrationRequest,
    Plan,
    Stage,
    ToolCall,
    ToolCapability,
    ToolError,
    ToolErrorCode,
)


class ScriptedTool:
    """Sleeps `delay` seconds, then answers or raises the next scripted outcome.

    `outcomes` is consumed one per run; an exception instance is raised, anything else
    is returned; when it runs out, `default` is returned.
    """

    def __init__(
        self,
        tool_id: str,
        *,
        delay: float = 0.0,
        outcomes: list[Any] | None = None,
        default: Any = "ok",
        fallback_data: Any = None,
        fallback_error: ToolError | None = None,
        **capability: Any,
    ) -> None:
        capability.setdefault("capability_type", CapabilityType.READ_ONLY)
        self.capability = ToolCapability.build(tool_id=tool_id, **capability)
        self.delay = delay
        self.outcomes = list(outcomes or [])
        self.default = default
        self.fallback_data = fallback_data
        self.fallback_error = fallback_error
        self.runs = 0
        self.fallback_runs = 0
        self.seen: list[CallContext] = []
        self.budgets: list[float] = []  # ctx.budget_seconds as each run began
        self.cancelled = 0
        self.closed = False

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        self.runs += 1
        self.seen.append(ctx)
        self.budgets.append(ctx.budget_seconds)
        outcome = self.outcomes.pop(0) if self.outcomes else self.default
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def fallback(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        self.fallback_runs += 1
        if self.fallback_error is not None:
            raise self.fallback_error
        return self.fallback_data

    async def aclose(self) -> None:
        self.closed = True


class StubbornTool(ScriptedTool):
    """Hangs; when cancelled, its cleanup ignores cancellation for `cleanup_seconds`.

    This is psycopg's trap in miniature: cancelled on a stalled connection, it sends a
    protocol-level cancel and waits for it, 6-11 s in all, before it lets go.
    """

    def __init__(self, tool_id: str, *, cleanup_seconds: float, **capability: Any) -> None:
        super().__init__(tool_id, **capability)
        self.cleanup_seconds = cleanup_seconds
        self.cleanup_finished = False

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cleanup = asyncio.ensure_future(asyncio.sleep(self.cleanup_seconds))
            while not cleanup.done():
                try:
                    await asyncio.shield(cleanup)
                except asyncio.CancelledError:
                    continue  # ignore further cancellations, like a stubborn driver
            self.cleanup_finished = True
            raise


def upstream_error(message: str = "upstream down") -> ToolError:
    return ToolError(ToolErrorCode.UPSTREAM_ERROR, message)


def plan_request(
    *stages: list[tuple[str, str] | tuple[str, str, list[str]]],
    tenant_id: str = "acme",
    **fields: Any,
) -> OrchestrationRequest:
    """A request with an explicit plan: each stage a list of (call_id, tool_id[, depends_on])."""
    built = []
    for stage in stages:
        calls = [
            ToolCall(call_id=c[0], tool_id=c[1], depends_on=list(c[2]) if len(c) > 2 else [])
            for c in stage
        ]
        built.append(Stage(calls=calls))
    return OrchestrationRequest(tenant_id=tenant_id, plan=Plan(stages=built), **fields)


def by_call(response: Any) -> dict[str, Any]:
    return {result.call_id: result for result in response.results}
