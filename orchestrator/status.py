"""The orchestration's honest four-way answer, from its call results."""

from __future__ import annotations

from collections.abc import Iterable

from .contracts import OrchestrationStatus, ToolResult


def aggregate_status(results: Iterable[ToolResult]) -> OrchestrationStatus:
    """Classify a request by its calls.

    success  every call succeeded on its primary path (and there was at least one call)
    partial  at least one primary success and at least one failure (a call answered by its
             fallback failed on its primary path, so it counts as one)
    degraded no primary success, at least one fallback result
    failed   no primary success and no fallback (this includes no calls at all)

    A fallback result (success and fallback_used) is not a primary success.
    """
    primary_successes = fallbacks = failures = 0
    for result in results:
        if not result.success:
            failures += 1
        elif result.fallback_used:
            fallbacks += 1
        else:
            primary_successes += 1
    if primary_successes:
        if failures or fallbacks:
            return OrchestrationStatus.PARTIAL
        return OrchestrationStatus.SUCCESS
    if fallbacks:
        return OrchestrationStatus.DEGRADED
    return OrchestrationStatus.FAILED
