"""Gauntlet's reference orchestrator: the system under test. It knows nothing of the harness."""

from .capabilities import CapabilityRegistry, CapabilityType, ToolCapability
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
from .errors import CapabilityError, PlanningError, SecurityRefusal, ToolError
from .tool import CallContext, Tool

__all__ = [
    "CallContext",
    "CallTrace",
    "CapabilityError",
    "CapabilityRegistry",
    "CapabilityType",
    "OrchestrationRequest",
    "OrchestrationResponse",
    "OrchestrationStatus",
    "Plan",
    "PlanningError",
    "SecurityRefusal",
    "Stage",
    "Tool",
    "ToolCall",
    "ToolCapability",
    "ToolError",
    "ToolErrorCode",
    "ToolResult",
]
