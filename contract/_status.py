"""The four statuses of an answer, and what each promises.

- `success`: every call succeeded on its primary path;
- `partial`: at least one primary success and at least one failure;
- `degraded`: no primary success, at least one fallback result;
- `failed`: no primary success and no fallback, or the request itself was refused.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class OrchestrationStatus(StrEnum):
    SUCCESS = "success"
    PARTIAL = "partial"
    DEGRADED = "degraded"
    FAILED = "failed"


# The class keeps its wire name: OpenAPI documents call the schema `OrchestrationStatus`.
Status = OrchestrationStatus


STATUS_DEFINITIONS = MappingProxyType(
    {
        Status.SUCCESS: "every call succeeded on its primary path",
        Status.PARTIAL: "at least one primary success and at least one failure",
        Status.DEGRADED: "no primary success, at least one fallback result",
        Status.FAILED: ("no primary success and no fallback, or the request itself was refused"),
    }
)
