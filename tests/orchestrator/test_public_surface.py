"""The orchestrator's public surface is what `__init__` names; everything else may change."""

from __future__ import annotations

import orchestrator


def test_the_public_surface_is_pinned() -> None:
    assert sorted(orchestrator.__all__) == [
        "BreakerState",
        "BreakerStatistics",
        "Bulkhead",
        "BulkheadStatistics",
        "CallContext",
        "CallTrace",
        "CapabilityError",
        "CapabilityType",
        "CircuitBreaker",
        "CircuitOpen",
        "Clock",
        "IntentBuilder",
        "LingeringTasks",
        "OrchestrationRequest",
        "OrchestrationResponse",
        "OrchestrationStatus",
        "Orchestrator",
        "OrchestratorMetrics",
        "Plan",
        "Planner",
        "PlanningError",
        "PolicySettings",
        "RateLimiterStatistics",
        "RetryPolicy",
        "SecurityRefusal",
        "Stage",
        "TokenBucket",
        "Tool",
        "ToolCall",
        "ToolCapability",
        "ToolError",
        "ToolErrorCode",
        "ToolResult",
        "ToolStatistics",
        "VirtualClock",
        "aggregate_status",
    ]
    for name in orchestrator.__all__:
        assert hasattr(orchestrator, name), name
