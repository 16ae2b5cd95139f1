"""The interface every tool implements, and what a call sees of its request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from .capabilities import ToolCapability


@dataclass(frozen=True)
class CallContext:
    """What a tool may know about the request it serves."""

    request_id: str
    tenant_id: str
    authenticated: bool
    call_id: str
    # Outputs of the calls named in `ToolCall.depends_on`, by call id.
    dependency_outputs: Mapping[str, Any] = field(default_factory=dict)
    # Seconds left before this call's deadline; tools hand it to their upstreams
    # (e.g. as a statement_timeout) so the server gives up when we do.
    budget_seconds: float = 0.0


@runtime_checkable
class Tool(Protocol):
    """A tool: runs a call or raises `ToolError`; may offer a fallback.

    `run` must be cancellable at any await: the deadline cancels it, and it must
    release what it holds (connections, locks) when that happens.
    """

    capability: ToolCapability

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any: ...

    async def fallback(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        """Answer from a degraded source, or raise `ToolError` when there is none."""
        ...
