"""The circuit breaker counts no failure, so it never opens."""

from __future__ import annotations

DEFECT = "breaker never opens: every call waits out a dead upstream's deadline"
SCENARIOS = ("breaker-fails-fast", "metrics-latency-cascade")


def apply() -> None:
    from catalogue import replace

    from orchestrator import breaker

    replace(breaker, "UPSTREAM_FAILURES", frozenset())
