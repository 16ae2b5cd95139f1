"""Prometheus metrics of one orchestrator, on a registry of its own.

The hot path only bumps plain counters (a dict increment per call); the Prometheus
families are built when the registry is scraped. Breaker states are read from the
breakers themselves at scrape time, so the gauge is never stale. Each orchestrator
gets a fresh `CollectorRegistry` unless given one, so tests and several orchestrators
in one process never collide. The HTTP service exposes `metrics.registry` at /metrics.

    gauntlet_requests_total{status}
    gauntlet_request_latency_seconds{status}              histogram
    gauntlet_tool_calls_total{tool,outcome,error_code}    outcome: success|fallback|failure
    gauntlet_tool_call_latency_seconds{tool}              histogram
    gauntlet_tool_fallbacks_total{tool}
    gauntlet_breaker_state{tool}                          0 closed, 1 half-open, 2 open
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from .breaker import BreakerState
from .contracts import OrchestrationStatus, ToolResult

LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_BREAKER_LEVEL = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


class LatencyHistogram:
    """Bucket counts and a sum, in seconds; turned into a Prometheus histogram at scrape."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(LATENCY_BUCKETS) + 1)  # the last one is +Inf
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.total += seconds

    def cumulative(self) -> list[tuple[str, float]]:
        bounds = [str(b) for b in LATENCY_BUCKETS] + ["+Inf"]
        running, buckets = 0, []
        for bound, count in zip(bounds, list(self.counts), strict=False):
            running += count
            buckets.append((bound, running))
        return buckets


class OrchestratorMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.requests: Counter[str] = Counter()
        self.request_latency: dict[str, LatencyHistogram] = {}
        self.calls: Counter[tuple[str, str, str]] = Counter()
        self.call_latency: dict[str, LatencyHistogram] = {}
        self._breaker_states: Callable[[], Mapping[str, BreakerState]] = dict
        self.registry.register(_Exporter(self))

    def watch_breakers(self, states: Callable[[], Mapping[str, BreakerState]]) -> None:
        """Where the breaker gauge reads each tool's state at scrape time."""
        self._breaker_states = states

    def observe_call(self, result: ToolResult) -> None:
        # Each field read once: a pydantic model's attribute costs several plain ones.
        tool_id = result.tool_id
        if not result.success:
            key = (tool_id, "failure", result.error_code.value)  # type: ignore[union-attr]
        elif result.fallback_used:
            key = (tool_id, "fallback", "")
        else:
            key = (tool_id, "success", "")
        self.calls[key] += 1
        histogram = self.call_latency.get(tool_id)
        if histogram is None:
            histogram = self.call_latency[tool_id] = LatencyHistogram()
        histogram.observe(result.latency_ms / 1000.0)

    def observe_request(self, status: OrchestrationStatus, latency_ms: float) -> None:
        self.requests[status.value] += 1
        histogram = self.request_latency.get(status.value)
        if histogram is None:
            histogram = self.request_latency[status.value] = LatencyHistogram()
        histogram.observe(latency_ms / 1000.0)

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "gauntlet_requests", "Orchestration requests by status", labels=["status"]
        )
        for status, count in list(self.requests.items()):
            requests.add_metric([status], count)
        yield requests
        yield _histograms(
            "gauntlet_request_latency_seconds",
            "Orchestration latency",
            "status",
            self.request_latency,
        )
        calls = CounterMetricFamily(
            "gauntlet_tool_calls",
            "Tool calls by outcome and error code",
            labels=["tool", "outcome", "error_code"],
        )
        fallbacks = CounterMetricFamily(
            "gauntlet_tool_fallbacks", "Calls answered by the tool's fallback", labels=["tool"]
        )
        for (tool, outcome, code), count in list(self.calls.items()):
            calls.add_metric([tool, outcome, code], count)
            if outcome == "fallback":
                fallbacks.add_metric([tool], count)
        yield calls
        yield fallbacks
        yield _histograms(
            "gauntlet_tool_call_latency_seconds", "Tool call latency", "tool", self.call_latency
        )
        breakers = GaugeMetricFamily(
            "gauntlet_breaker_state",
            "Circuit breaker state: 0 closed, 1 half-open, 2 open",
            labels=["tool"],
        )
        for tool, state in self._breaker_states().items():
            breakers.add_metric([tool], _BREAKER_LEVEL[state])
        yield breakers


def _histograms(
    name: str, documentation: str, label: str, by_label: dict[str, LatencyHistogram]
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation, labels=[label])
    for value, histogram in list(by_label.items()):
        family.add_metric([value], histogram.cumulative(), histogram.total)
    return family


class _Exporter:
    """The registry's view of the metrics: built on demand, at scrape time."""

    def __init__(self, metrics: OrchestratorMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return self._metrics.collect()
