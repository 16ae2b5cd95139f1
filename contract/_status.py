"""The four statuses of an answer, and what each promises.

- `success`: every call succeeded on its primary path;
- `partial`: at least one primary success and at least one failure;
- `degraded`: no primary success, at least one fallback result;
- `failed`: no primary success and no fallback, or the request itself was refused.

A fallback result is not a primary success: a primary success beside a fallback is
`partial`. `status_of` is the rule itself, so the harness can check that an answer's
status is the one its own call results imply.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def status_of(calls: Iterable[tuple[bool, bool]]) -> Status:
    """The status an answer's call results imply, each given as (success, fallback_used)."""
    primary = fallbacks = failures = 0
    for success, fallback_used in calls:
        if not success:
            failures += 1
        elif fallback_used:
            fallbacks += 1
        else:
            primary += 1
    if primary:
        return Status.PARTIAL if failures or fallbacks else Status.SUCCESS
    return Status.DEGRADED if fallbacks else Status.FAILED
