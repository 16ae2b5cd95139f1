"""The interface every tool implements, and what a call sees of its request."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from .capabilities import ToolCapability
from .errors import CapabilityError

_new_instance = object.__new__
_set_attribute = object.__setattr__


@dataclass(frozen=True)
class CallContext:
    """What a tool may know about the request it serves."""

    request_id: str
    tenant_id: str
    authenticated: bool
    call_id: str
    # Outputs of the calls named in `ToolCall.depends_on`, by call id.
    dependency_outputs: Mapping[str, Any] = field(default_factory=dict)
    # The call's absolute deadline on the running event loop's clock (`loop.time()`);
    # infinity when the caller set none.
    deadline_at: float = math.inf

    @classmethod
    def of_call(
        cls,
        request_id: str,
        tenant_id: str,
        authenticated: bool,
        call_id: str,
        dependency_outputs: Mapping[str, Any],
        deadline_at: float,
    ) -> CallContext:
        """The context the engine builds for each call: the same as the constructor's, every
        field given, set at once rather than one frozen assignment per field (4x the cost).
        A test pins that both are equal."""
        ctx = _new_instance(cls)
        _set_attribute(
            ctx,
            "__dict__",
            {
                "request_id": request_id,
                "tenant_id": tenant_id,
                "authenticated": authenticated,
                "call_id": call_id,
                "dependency_outputs": dependency_outputs,
                "deadline_at": deadline_at,
            },
        )
        return ctx

    @property
    def budget_seconds(self) -> float:
        """Seconds left before the deadline, read now: a retry started late sees less.

        Tools hand it to their upstreams (e.g. as a statement_timeout) at the moment they
        start, so the server gives up when we do. Infinity when there is no deadline.
        """
        return self.deadline_at - asyncio.get_running_loop().time()


@runtime_checkable
class Tool(Protocol):
    """A tool: runs a call or raises `ToolError`.

    `run` must be cancellable at any await: the deadline cancels it, and it must
    release what it holds (connections, locks) when that happens.

    A tool whose capability sets `fallback_enabled` also has
    `async def fallback(arguments, ctx)`, which answers from a degraded source or raises
    `ToolError`; other tools need not define it (checked when the orchestrator is built).
    """

    capability: ToolCapability

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any: ...


def checked_capability(tool: Any) -> ToolCapability:
    """The tool's capability, once it is shown to have what the orchestrator calls."""
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
