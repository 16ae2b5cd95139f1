"""The reference orchestrator says what the contract says: its tools, its intents' plans,
its request model, its retry and breaker rules."""

from __future__ import annotations

import contract
from contract import ErrorClass
from orchestrator.breaker import UPSTREAM_FAILURES
from orchestrator.contracts import OrchestrationRequest
from orchestrator.intents import register_ops_intents
from orchestrator.planner import Planner
from orchestrator.retry import TRANSIENT_CODES
from orchestrator.tools import _audit, _direct_query, _metrics, _topology


def test_the_reference_serves_exactly_the_contracts_tools() -> None:
    ids = {module.TOOL_ID for module in (_direct_query, _metrics, _topology, _audit)}
    assert ids == set(contract.TOOL_IDS)


def test_each_intents_plan_calls_what_the_contract_says_it_reads() -> None:
    planner = Planner()
    register_ops_intents(planner)
    examples = {"ad_hoc_query": {"sql": "SELECT 1"}}
    for name, intent in contract.INTENTS.items():
        parameters = examples.get(name, {"service": "checkout"})
        request = OrchestrationRequest(tenant_id="acme", intent=name, parameters=parameters)
        plan = planner.plan(request)
        called = {call.tool_id for stage in plan.stages for call in stage.calls}
        assert called - {"audit"} == set(intent.reads), name


def test_the_contracts_request_body_is_a_request_the_reference_accepts() -> None:
    body = contract.request_body("acme", "service_overview", {"service": "checkout"})
    request = OrchestrationRequest.model_validate({**body, "deadline_seconds": 3})
    assert (request.tenant_id, request.intent) == ("acme", "service_overview")


def test_retry_and_breaker_follow_the_error_classes() -> None:
    assert contract.codes_of(ErrorClass.TRANSIENT) == TRANSIENT_CODES
    assert contract.upstream_health_codes() == UPSTREAM_FAILURES
