"""Gauntlet's reference orchestrator: the system under test. It knows nothing of the harness."""

from .breaker import BreakerState, BreakerStatistics, CircuitBreaker
from .bulkhead import Bulkhead, BulkheadStatistics
from .call_policy import PolicySettings, ToolStatistics
from .capabilities import CapabilityType, ToolCapability
from .clock import Clock, VirtualClock
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
)
from .deadline import LingeringTasks
from .errors import CapabilityError, CircuitOpen, PlanningError, SecurityRefusal, ToolError
from .executor import Orchestrator
from .metrics import OrchestratorMetrics
from .planner import IntentBuilder, Planner
from .rate_limit import RateLimiterStatistics, TokenBucket
from .retry import RetryPolicy
from .status import aggregate_status
from .tool import CallContext, Tool

__all__ = [
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
