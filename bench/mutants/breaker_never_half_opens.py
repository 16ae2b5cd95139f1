"""The breaker's cool-down never ends: once open it refuses every call, with no probe."""

from __future__ import annotations

DEFECT = "breaker never half-opens: once open, a tool stays off after its upstream recovers"
SCENARIOS = ("breaker-fails-fast",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.breaker import CircuitBreaker

    replace(CircuitBreaker, "_cool_down_over", lambda self: False)
