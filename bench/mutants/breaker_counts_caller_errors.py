"""The breaker counts the caller's own errors (a division by zero) as upstream failures."""

from __future__ import annotations

DEFECT = "breaker poisoning: a tenant's SELECT 1/0 counts toward the shared breaker"
SCENARIOS = ("breaker-poisoning",)


def apply() -> None:
    from catalogue import replace

    from orchestrator import breaker
    from orchestrator.contracts import ToolErrorCode

    widened = breaker.UPSTREAM_FAILURES | {ToolErrorCode.INVALID_ARGUMENTS}
    replace(breaker, "UPSTREAM_FAILURES", widened)
