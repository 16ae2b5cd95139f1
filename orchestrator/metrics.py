"""Prometheus metrics of one orchestrator, on a registry of its own.

Each orchestrator gets a fresh `CollectorRegistry` unless given one, so tests and
several orchestrators in one process never collide on metric names. The HTTP
service exposes `metrics.registry` at /metrics.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from .breaker import BreakerState
from .contracts import OrchestrationStatus, ToolResult

_BREAKER_LEVEL = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}
_LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class OrchestratorMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.requests = Counter(
            "gauntlet_requests", "Orchestration requests by status", ["status"],
            registry=self.registry,
        )
        self.request_latency = Histogram(
            "gauntlet_request_latency_seconds", "Orchestration latency", ["status"],
            buckets=_LATENCY_BUCKETS, registry=self.registry,
        )
        self.calls = Counter(
            "gauntlet_tool_calls", "Tool calls by outcome and error code",
            ["tool", "outcome", "error_code"], registry=self.registry,
        )
        self.call_latency = Histogram(
            "gauntlet_tool_call_latency_seconds", "Tool call latency", ["tool"],
            buckets=_LATENCY_BUCKETS, registry=self.registry,
        )
        self.fallbacks = Counter(
            "gauntlet_tool_fallbacks", "Calls answered by the tool's fallback", ["tool"],
            registry=self.registry,
        )
        self.breaker_state = Gauge(
            "gauntlet_breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open",
            ["tool"], registry=self.registry,
        )
        # labels() takes a lock and hashes every time; the hot path reuses children.
        self._children: dict[tuple[str, ...], object] = {}

    def observe_call(self, result: ToolResult, breaker_state: BreakerState) -> None:
        tool = result.tool_id
        if not result.success:
            outcome, code = "failure", result.error_code.value  # type: ignore[union-attr]
        elif result.fallback_used:
            outcome, code = "fallback", ""
            self._child(self.fallbacks, "fallbacks", tool).inc()
        else:
            outcome, code = "success", ""
        self._child(self.calls, "calls", tool, outcome, code).inc()
        self._child(self.call_latency, "latency", tool).observe(result.latency_ms / 1000.0)
        self._child(self.breaker_state, "breaker", tool).set(_BREAKER_LEVEL[breaker_state])

    def observe_request(self, status: OrchestrationStatus, latency_ms: float) -> None:
        self._child(self.requests, "requests", status.value).inc()
        self._child(self.request_latency, "request_latency", status.value).observe(latency_ms / 1000.0)

    def _child(self, metric, kind: str, *labels: str):  # type: ignore[no-untyped-def]
        key = (kind, *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child
