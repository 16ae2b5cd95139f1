"""The orchestration `gauntlet demo` runs: in-process tools, one request.

The demo shows the four-way answer at a glance: a fast tool succeeds, a slow one is
cut at its deadline, a broken one answers from its fallback snapshot, and a call
that depends on the fast one receives its data. The request answers `partial`
in about a fifth of a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from orchestrator import (
    CallContext,
    CapabilityType,
    OrchestrationRequest,
    OrchestrationResponse,
    Orchestrator,
    Plan,
    Stage,
    ToolCall,
    ToolCapability,
    ToolError,
    ToolErrorCode,
)
from orchestrator.deadline import LingeringTasks


class InventoryTool:
    capability = ToolCapability.build(tool_id="inventory", capability_type=CapabilityType.READ_ONLY)

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        return {"services": ["checkout", "payments", "search"], "tenant": ctx.tenant_id}


class SlowMetricsTool:
    """Takes far longer than its 0.15 s deadline: the orchestrator cancels it."""

    capability = ToolCapability.build(
        tool_id="metrics", capability_type=CapabilityType.TIME_SERIES, timeout_seconds=0.15
    )

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        await asyncio.sleep(30)
        return {"p99_ms": 120}


class TopologyTool:
    """Its upstream is down; it falls back to the last known good snapshot."""

    capability = ToolCapability.build(
        tool_id="topology", capability_type=CapabilityType.READ_ONLY, fallback_enabled=True
    )

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        raise ToolError(ToolErrorCode.CONNECTION_ERROR, "topology service refused the connection")

    async def fallback(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        return {"edges": [["checkout", "payments"]], "snapshot": "last known good"}


class SummaryTool:
    capability = ToolCapability.build(tool_id="summary", capability_type=CapabilityType.READ_ONLY)

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        inventory = ctx.dependency_outputs["inventory"]
        return {"service_count": len(inventory["services"])}


def demo_request() -> OrchestrationRequest:
    return OrchestrationRequest(
        tenant_id="acme",
        plan=Plan(
            stages=[
                Stage(
                    calls=[
                        ToolCall(call_id="inventory", tool_id="inventory"),
                        ToolCall(call_id="metrics", tool_id="metrics"),
                        ToolCall(call_id="topology", tool_id="topology"),
                    ]
                ),
                Stage(
                    calls=[ToolCall(call_id="summary", tool_id="summary", depends_on=["inventory"])]
                ),
            ]
        ),
    )


async def run_demo() -> OrchestrationResponse:
    tools = [InventoryTool(), SlowMetricsTool(), TopologyTool(), SummaryTool()]
    async with Orchestrator(tools, lingering=LingeringTasks()) as orchestrator:
        return await orchestrator.orchestrate(demo_request())
