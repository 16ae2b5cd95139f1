"""The planner, and bad capabilities and requests refused with clear one-line messages."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from orchestrator_tools import ScriptedTool
from pydantic import ValidationError

from orchestrator import (
    CapabilityError,
    CapabilityType,
    OrchestrationRequest,
    Orchestrator,
    Plan,
    Planner,
    PlanningError,
    Stage,
    ToolCall,
    ToolCapability,
)
from orchestrator.deadline import LingeringTasks


def _overview(parameters: Mapping[str, Any]) -> Plan:
    if "service" not in parameters:
        raise PlanningError("parameter 'service' is required")
    return Plan(
        stages=[
            Stage(
                calls=[
                    ToolCall(
                        call_id="a", tool_id="ops", arguments={"service": parameters["service"]}
                    )
                ]
            )
        ]
    )


def test_an_intent_expands_to_its_plan_and_an_explicit_plan_wins() -> None:
    planner = Planner({"service_overview": _overview})
    request = OrchestrationRequest(
        tenant_id="acme", intent="service_overview", parameters={"service": "checkout"}
    )
    assert planner.plan(request).stages[0].calls[0].arguments == {"service": "checkout"}
    explicit = Plan(stages=[Stage(calls=[ToolCall(call_id="x", tool_id="y")])])
    assert planner.plan(OrchestrationRequest(tenant_id="acme", plan=explicit)) is explicit
    assert planner.intents() == ["service_overview"]


def test_planning_errors_name_the_intent_and_what_is_wrong() -> None:
    planner = Planner({"service_overview": _overview, "incident_triage": _overview})
    with pytest.raises(
        PlanningError, match="intent 'service_overview': parameter 'service' is required"
    ):
        planner.plan(OrchestrationRequest(tenant_id="acme", intent="service_overview"))
    with pytest.raises(PlanningError, match="known intents: incident_triage, service_overview"):
        planner.plan(OrchestrationRequest(tenant_id="acme", intent="nope"))
    with pytest.raises(PlanningError, match="already registered"):
        planner.register("incident_triage", _overview)


def test_bad_parameters_answer_failed_with_the_planning_error() -> None:
    orchestrator = Orchestrator(
        [ScriptedTool("ops")],
        lingering=LingeringTasks(),
        planner=Planner({"service_overview": _overview}),
    )
    response = asyncio.run(
        orchestrator.orchestrate(OrchestrationRequest(tenant_id="acme", intent="service_overview"))
    )
    assert response.status.value == "failed"
    assert "parameter 'service' is required" in response.error_message


def test_a_plan_already_made_is_run_as_given_and_answers_as_planning_would() -> None:
    asked: list[Mapping[str, Any]] = []

    def overview(parameters: Mapping[str, Any]) -> Plan:
        asked.append(parameters)
        return _overview(parameters)

    orchestrator = Orchestrator(
        [ScriptedTool("ops")],
        lingering=LingeringTasks(),
        planner=Planner({"overview": overview}),
    )
    request = OrchestrationRequest(
        tenant_id="acme", intent="overview", parameters={"service": "checkout"}
    )
    plan = orchestrator.planner.plan(request)

    async def both() -> tuple[Any, Any]:
        given = await orchestrator.orchestrate(request, plan=plan)
        planned = await orchestrator.orchestrate(request)
        return given, planned

    given, planned = asyncio.run(both())
    assert len(asked) == 2  # once above, once by the second orchestrate; never for `given`
    ignore = {"latency_ms": True, "trace": True, "results": {"__all__": {"latency_ms"}}}
    assert given.model_dump(exclude=ignore) == planned.model_dump(exclude=ignore)
    assert [r.tool_id for r in given.results] == ["ops"]


def test_bad_capability_values_get_one_line_naming_the_field() -> None:
    with pytest.raises(CapabilityError) as refused:
        ToolCapability.build(
            tool_id="ops", capability_type=CapabilityType.READ_ONLY, timeout_seconds=0
        )
    message = str(refused.value)
    assert "\n" not in message and "'ops'" in message and "timeout_seconds" in message
    with pytest.raises(CapabilityError, match="capability_type"):
        ToolCapability.build(tool_id="ops", capability_type="write_everything")


def test_duplicate_tools_and_incomplete_tools_are_refused() -> None:
    with pytest.raises(CapabilityError, match="'ops' is already registered"):
        Orchestrator([ScriptedTool("ops"), ScriptedTool("ops")], lingering=LingeringTasks())
    with pytest.raises(CapabilityError, match="must be a ToolCapability"):
        Orchestrator([object()], lingering=LingeringTasks())  # type: ignore[list-item]

    class NoFallback:
        capability = ToolCapability.build(
            tool_id="snap", capability_type="read_only", fallback_enabled=True
        )

        async def run(self, arguments: Any, ctx: Any) -> Any:
            return None

    with pytest.raises(CapabilityError, match="fallback_enabled is set but it has no fallback"):
        Orchestrator([NoFallback()], lingering=LingeringTasks())  # type: ignore[list-item]


def test_malformed_requests_are_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="exactly one of 'intent' or 'plan'"):
        OrchestrationRequest(tenant_id="acme")
    with pytest.raises(ValidationError, match="depends on 'later'"):
        Plan(stages=[Stage(calls=[ToolCall(call_id="a", tool_id="t", depends_on=["later"])])])
    with pytest.raises(ValidationError, match="duplicate call_id"):
        Plan(stages=[Stage(calls=[ToolCall(call_id="a", tool_id="t")] * 2)])
    with pytest.raises(ValidationError, match="deadline_seconds"):
        OrchestrationRequest(tenant_id="acme", intent="x", deadline_seconds=0)
