"""The checks a call must pass that need no I/O: who may call, and how much may come back."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

from .capabilities import ToolCapability
from .contracts import ToolErrorCode
from .errors import SecurityRefusal, ToolError

_MEGABYTE = 1024 * 1024


def check_caller(capability: ToolCapability, *, tenant_id: str, authenticated: bool) -> None:
    """Raise `SecurityRefusal` unless this caller may use the tool at all."""
    if capability.requires_authentication and not authenticated:
        raise SecurityRefusal(
            ToolErrorCode.UNAUTHENTICATED,
            f"tool {capability.tool_id!r} requires an authenticated caller",
        )
    if not capability.allows_tenant(tenant_id):
        raise SecurityRefusal(
            ToolErrorCode.TENANT_VIOLATION,
            f"tool {capability.tool_id!r} does not serve tenant {tenant_id!r}",
        )


def result_size_error(capability: ToolCapability, data: Any) -> ToolError | None:
    """`result_too_large` when `data`, serialised as the response will carry it, is over the cap."""
    if data is None:
        return None
    size = len(to_json(data, fallback=str))
    if size <= capability.max_result_size_mb * _MEGABYTE:
        return None
    return ToolError(
        ToolErrorCode.RESULT_TOO_LARGE,
        f"tool {capability.tool_id!r} returned {size} bytes, over its "
        f"{capability.max_result_size_mb:g} MB cap",
    )
