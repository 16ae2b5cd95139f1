"""The executor's plan → stages → calls → status path with in-process tools."""

from __future__ import annotations

import asyncio

from orchestrator_tools import ScriptedTool, by_call, plan_request, upstream_error

from orchestrator import (
    OrchestrationRequest,
    OrchestrationStatus,
    Orchestrator,
    Plan,
    Planner,
    Stage,
    ToolCall,
    ToolErrorCode,
)
from orchestrator.deadline import LingeringTasks


def _run(orchestrator: Orchestrator, request: OrchestrationRequest, **kwargs: object):
    async def scenario():
        async with orchestrator:
            return await orchestrator.orchestrate(request, **kwargs)

    return asyncio.run(scenario())


def test_all_primary_successes_is_success_with_a_trace_per_stage() -> None:
    first, second = ScriptedTool("first", delay=0.01, default={"n": 1}), ScriptedTool("second")
    response = _run(
        Orchestrator([first, second], lingering=LingeringTasks()),
        plan_request([("a", "first")], [("b", "second", ["a"])]),
    )
    assert response.status is OrchestrationStatus.SUCCESS
    assert response.successful_tools == ["first", "second"]
    assert response.failed_tools == [] and response.fallback_tools == []
    trace = {t.call_id: t for t in response.trace}
    assert trace["a"].stage == 0 and trace["b"].stage == 1
    assert trace["b"].start_ms >= trace["a"].end_ms >= trace["a"].start_ms + 5
    assert second.seen[0].dependency_outputs == {"a": {"n": 1}}
    assert 0 < second.budgets[0] <= 5.0  # its own 5 s deadline, read as the call began
    assert response.latency_ms >= trace["b"].end_ms


def test_a_failed_dependency_is_not_run_and_counts_as_failed() -> None:
    broken = ScriptedTool("broken", default=upstream_error(), capability_type="read_write")
    after, sibling = ScriptedTool("after"), ScriptedTool("sibling")
    response = _run(
        Orchestrator([broken, after, sibling], lingering=LingeringTasks()),
        plan_request([("a", "broken"), ("s", "sibling")], [("b", "after", ["a"])]),
    )
    results = by_call(response)
    assert results["b"].error_code is ToolErrorCode.DEPENDENCY_FAILED
    assert "'a'" in results["b"].error_message
    assert after.runs == 0
    assert response.status is OrchestrationStatus.PARTIAL
    assert response.failed_tools == ["broken", "after"]


def test_a_fallback_result_feeds_its_dependants() -> None:
    topology = ScriptedTool(
        "topology",
        default=upstream_error(),
        fallback_enabled=True,
        fallback_data={"snapshot": True},
        capability_type="read_write",
    )
    reader = ScriptedTool("reader")
    response = _run(
        Orchestrator([topology, reader], lingering=LingeringTasks()),
        plan_request([("t", "topology")], [("r", "reader", ["t"])]),
    )
    results = by_call(response)
    assert results["t"].success and results["t"].fallback_used
    assert results["t"].data == {"snapshot": True}
    assert reader.seen[0].dependency_outputs == {"t": {"snapshot": True}}
    assert response.fallback_tools == ["topology"]
    assert response.status is OrchestrationStatus.PARTIAL


def test_only_fallbacks_is_degraded_and_a_failing_fallback_keeps_the_primary_error() -> None:
    degraded = ScriptedTool(
        "snap",
        default=upstream_error("db gone"),
        fallback_enabled=True,
        fallback_data=[1],
        capability_type="read_write",
    )
    response = _run(
        Orchestrator([degraded], lingering=LingeringTasks()), plan_request([("a", "snap")])
    )
    assert response.status is OrchestrationStatus.DEGRADED

    no_snapshot = ScriptedTool(
        "snap",
        default=upstream_error("db gone"),
        fallback_enabled=True,
        fallback_error=upstream_error("no snapshot either"),
        capability_type="read_write",
    )
    response = _run(
        Orchestrator([no_snapshot], lingering=LingeringTasks()), plan_request([("a", "snap")])
    )
    result = by_call(response)["a"]
    assert response.status is OrchestrationStatus.FAILED
    assert (result.error_code, result.error_message) == (ToolErrorCode.UPSTREAM_ERROR, "db gone")
    assert no_snapshot.fallback_runs == 1


def test_security_refusals_never_run_never_fall_back() -> None:
    only_acme = ScriptedTool(
        "ops", supported_tenants=frozenset({"acme"}), fallback_enabled=True, fallback_data="leak"
    )
    response = _run(
        Orchestrator([only_acme], lingering=LingeringTasks()),
        plan_request([("a", "ops")], tenant_id="globex"),
    )
    result = by_call(response)["a"]
    assert result.error_code is ToolErrorCode.TENANT_VIOLATION and result.security_error
    assert "'globex'" in result.error_message
    assert (only_acme.runs, only_acme.fallback_runs) == (0, 0)
    assert response.status is OrchestrationStatus.FAILED

    response = _run(
        Orchestrator(
            [ScriptedTool("ops", fallback_enabled=True, fallback_data=1)],
            lingering=LingeringTasks(),
        ),
        plan_request([("a", "ops")]),
        authenticated=False,
    )
    result = by_call(response)["a"]
    assert result.error_code is ToolErrorCode.UNAUTHENTICATED and result.security_error
    assert not result.fallback_used


def test_unknown_tool_and_unknown_intent_are_answered_not_raised() -> None:
    response = _run(
        Orchestrator([ScriptedTool("known")], lingering=LingeringTasks()),
        plan_request([("a", "known"), ("b", "nosuch")]),
    )
    result = by_call(response)["b"]
    assert result.error_code is ToolErrorCode.INVALID_ARGUMENTS
    assert "'nosuch'" in result.error_message and "known" in result.error_message
    assert response.status is OrchestrationStatus.PARTIAL

    planner = Planner(
        {
            "service_overview": lambda params: Plan(
                stages=[Stage(calls=[ToolCall(call_id="a", tool_id="known")])]
            )
        }
    )
    response = _run(
        Orchestrator([ScriptedTool("known")], lingering=LingeringTasks(), planner=planner),
        OrchestrationRequest(tenant_id="acme", intent="triage"),
    )
    assert response.status is OrchestrationStatus.FAILED
    assert response.results == []
    assert "unknown intent 'triage'" in response.error_message
    assert "service_overview" in response.error_message


def test_unexpected_exceptions_and_oversized_results_map_to_their_codes() -> None:
    crashing = ScriptedTool("crash", default=KeyError("missing"))
    huge = ScriptedTool("huge", default="x" * 2_000_000, max_result_size_mb=1)
    response = _run(
        Orchestrator([crashing, huge], lingering=LingeringTasks()),
        plan_request([("a", "crash"), ("b", "huge")]),
    )
    results = by_call(response)
    assert results["a"].error_code is ToolErrorCode.INTERNAL_ERROR
    assert "KeyError" in results["a"].error_message
    assert results["b"].error_code is ToolErrorCode.RESULT_TOO_LARGE
    assert results["b"].data is None


def test_a_tool_that_cancels_its_own_work_is_reported_cancelled() -> None:
    response = _run(
        Orchestrator(
            [ScriptedTool("self", default=asyncio.CancelledError())],
            lingering=LingeringTasks(),
        ),
        plan_request([("a", "self")]),
    )
    assert by_call(response)["a"].error_code is ToolErrorCode.CANCELLED


def test_the_response_serialises_as_its_contract() -> None:
    response = _run(
        Orchestrator([ScriptedTool("a", default={"rows": [1, 2]})], lingering=LingeringTasks()),
        plan_request([("c", "a")]),
    )
    again = type(response).model_validate_json(response.model_dump_json())
    assert again == response
