"""Prometheus metrics per orchestrator, and the frozen statistics records."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from orchestrator_tools import ScriptedTool, plan_request, upstream_error
from prometheus_client import generate_latest

from orchestrator import Orchestrator, OrchestratorMetrics, PolicySettings
from orchestrator.deadline import LingeringTasks


def _sample(metrics: OrchestratorMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_calls_requests_fallbacks_and_breakers_are_counted() -> None:
    ok = ScriptedTool("ok")
    snap = ScriptedTool(
        "snap",
        default=upstream_error(),
        fallback_enabled=True,
        fallback_data=1,
        capability_type="read_write",
    )
    broken = ScriptedTool("broken", default=upstream_error(), capability_type="read_write")
    orchestrator = Orchestrator(
        [ok, snap, broken],
        lingering=LingeringTasks(),
        policy=PolicySettings(breaker_failure_threshold=1),
    )
    request = plan_request([("a", "ok"), ("b", "snap"), ("c", "broken"), ("d", "ghost")])
    for _ in range(2):
        asyncio.run(orchestrator.orchestrate(request))
    metrics = orchestrator.metrics
    assert _sample(metrics, "gauntlet_requests_total", status="partial") == 2
    assert (
        _sample(metrics, "gauntlet_tool_calls_total", tool="ok", outcome="success", error_code="")
        == 2
    )
    assert (
        _sample(
            metrics,
            "gauntlet_tool_calls_total",
            tool="broken",
            outcome="failure",
            error_code="upstream_error",
        )
        == 1
    )
    assert (
        _sample(
            metrics,
            "gauntlet_tool_calls_total",
            tool="broken",
            outcome="failure",
            error_code="circuit_open",
        )
        == 1
    )  # the open breaker failed it fast
    assert _sample(metrics, "gauntlet_tool_fallbacks_total", tool="snap") == 2
    assert _sample(metrics, "gauntlet_tool_call_latency_seconds_count", tool="ok") == 2
    assert _sample(metrics, "gauntlet_breaker_state", tool="broken") == 2
    assert _sample(metrics, "gauntlet_breaker_state", tool="ok") == 0
    assert b"ghost" not in generate_latest(metrics.registry)  # request-supplied ids get no label


def test_two_orchestrators_do_not_share_metrics() -> None:
    first, second = (
        Orchestrator([ScriptedTool("ok")], lingering=LingeringTasks()),
        Orchestrator([ScriptedTool("ok")], lingering=LingeringTasks()),
    )
    asyncio.run(first.orchestrate(plan_request([("a", "ok")])))
    assert _sample(first.metrics, "gauntlet_requests_total", status="success") == 1
    assert _sample(second.metrics, "gauntlet_requests_total", status="success") is None


def test_statistics_are_frozen_records_per_tool() -> None:
    orchestrator = Orchestrator(
        [ScriptedTool("ok", rate_limit_per_minute=10), ScriptedTool("free")],
        lingering=LingeringTasks(),
    )
    asyncio.run(orchestrator.orchestrate(plan_request([("a", "ok")])))
    stats = orchestrator.statistics()
    assert set(stats) == {"ok", "free"}
    assert stats["ok"].bulkhead.admitted == 1 and stats["ok"].bulkhead.in_flight == 0
    assert stats["ok"].rate_limiter.admitted == 1
    assert stats["free"].rate_limiter is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats["ok"].bulkhead.in_flight = 5  # type: ignore[misc]


def test_aclose_closes_the_tools() -> None:
    tool = ScriptedTool("ok")
    asyncio.run(Orchestrator([tool], lingering=LingeringTasks()).aclose())
    assert tool.closed
