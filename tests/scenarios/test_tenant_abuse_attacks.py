"""Tenant attacks on shared resources: the requests they shape, and audit judged per tenant."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Literal

import pytest

from chaos.faults import (
    AuditIdSquatFault,
    CallerErrorBurstFault,
    Crowd,
    ForeignSqlTextFault,
    PlannedRequest,
    TenantAttack,
    TinyDeadlineFault,
    ValidatorHeavySqlFault,
    parse_fault,
)
from scenarios.runner.exchange import Outcome
from scenarios.runner.expectation_checks import judge_expectations
from scenarios.runner.traffic import TrafficMix
from scenarios.spec.model import Scenario, Workload
from vocabulary import Asked, judge_answer

KEYS = {"acme": "key-a", "globex": "key-g", "initech": "key-i"}
WORKLOAD = Workload.model_validate(
    {
        "intents": [{"intent": "service_overview", "parameters": {"service": "checkout"}}],
        "tenants": ["acme", "globex"],
        "requests": 10,
    }
)


def _draws(attack: TenantAttack, n: int = 40) -> list:
    traffic = TrafficMix(WORKLOAD, KEYS, seed=3)
    return [traffic.draw([attack]) for _ in range(n)]


def test_a_sql_attack_is_an_ad_hoc_query_as_the_attacker_with_its_key() -> None:
    attack = CallerErrorBurstFault(as_tenant="initech")
    for request in _draws(attack):
        assert (request.tenant, request.api_key, request.attack) == (
            "initech",
            "key-i",
            "caller_error_burst",
        )
        assert request.body()["parameters"] == {"sql": "SELECT 1/0 AS boom"}


def test_without_as_tenant_the_request_s_own_tenant_attacks() -> None:
    tenants = {request.tenant for request in _draws(ForeignSqlTextFault())}
    assert tenants == {"acme", "globex"}


def test_a_tiny_deadline_is_the_workload_s_request_as_the_attacker_with_its_deadline() -> None:
    attack = TinyDeadlineFault(as_tenant="initech", deadline_seconds=0.005)
    for request in _draws(attack):
        body = request.body()
        assert (request.tenant, request.api_key, request.attack) == (
            "initech",
            "key-i",
            "tiny_deadline",
        )
        assert (body["intent"], body["parameters"]) == ("service_overview", {"service": "checkout"})
        assert body["deadline_seconds"] == 0.005


def test_squatting_comes_in_pairs_of_one_id_from_two_tenants() -> None:
    requests = _draws(AuditIdSquatFault(), n=20)
    for first, second in zip(requests[::2], requests[1::2], strict=True):
        assert first.body()["request_id"] == second.body()["request_id"]
        assert first.tenant != second.tenant
        assert second.api_key == KEYS[second.tenant]
    ids = [request.body()["request_id"] for request in requests[::2]]
    assert len(set(ids)) == len(ids)


def test_validator_heavy_sql_is_as_long_as_asked_and_new_each_time() -> None:
    requests = _draws(ValidatorHeavySqlFault(as_tenant="initech", size_bytes=4000), n=6)
    sqls = [request.body()["parameters"]["sql"] for request in requests]
    assert {request.tenant for request in requests} == {"initech"}
    assert all(3990 <= len(sql) <= 4010 and sql.startswith("SELECT ") for sql in sqls)
    assert len(set(sqls)) == len(sqls)  # no cache of accepted queries spares a validation


def test_a_drawn_parameter_is_new_for_each_request() -> None:
    workload = Workload.model_validate(
        {
            "intents": [{"intent": "ad_hoc_query", "parameters": {"sql": "SELECT {{draw}} AS d"}}],
            "tenants": ["acme"],
            "requests": 10,
        }
    )
    traffic = TrafficMix(workload, KEYS, seed=3)
    sqls = [traffic.draw().body()["parameters"]["sql"] for _ in range(20)]
    assert len(set(sqls)) == 20 and all("{{" not in sql for sql in sqls)
    again = TrafficMix(workload, KEYS, seed=3)
    assert [again.draw().body()["parameters"]["sql"] for _ in range(20)] == sqls  # replayable


def test_attack_kinds_keep_their_share_bounds() -> None:
    with pytest.raises(ValueError, match="share"):
        parse_fault({"kind": "advisory_lock_flood", "share": 1.5})


def _outcome(tenant: str, request_id: str) -> Outcome:
    asked = Asked(ts=0.0, source="attack", scenario="squat", tenant=tenant, intent="x")
    body = {
        "request_id": request_id,
        "tenant_id": tenant,
        "status": "success",
        "results": [{"tool_id": "audit", "success": True, "data": {"recorded": True}}],
    }
    answer = judge_answer(asked, latency_ms=1.0, http_status=200, content=json.dumps(body).encode())
    return Outcome(answer, "audit_id_squat", frozenset(), audit_acknowledged=True)


SQUAT = Scenario.model_validate(
    {
        "name": "squat",
        "workload": WORKLOAD.model_dump(),
        "expectations": [{"audit_exactly_once": True}],
    }
)


def test_one_request_id_used_by_two_tenants_is_exactly_once_for_each() -> None:
    outcomes = [_outcome("acme", "r1"), _outcome("globex", "r1")]
    rows = {("acme", "r1"): 1, ("globex", "r1"): 1}
    [check] = judge_expectations(SQUAT, outcomes, audit_rows=rows)
    assert check.passed, check.detail


def test_a_squatted_id_whose_second_tenant_has_no_row_fails() -> None:
    outcomes = [_outcome("acme", "r1"), _outcome("globex", "r1")]
    [check] = judge_expectations(SQUAT, outcomes, audit_rows={("acme", "r1"): 1})
    assert not check.passed
    assert "1 answered requests without a record" in check.detail


class _RenamedIntentAttack(TenantAttack):
    """An attack kind the runner has never heard of: its rewrite alone says what it does."""

    kind: Literal["renamed_intent_for_test"] = "renamed_intent_for_test"

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        return replace(request, intent="incident_triage", attack=self.kind)


def test_any_attack_kind_shapes_requests_by_its_own_rewrite() -> None:
    requests = _draws(_RenamedIntentAttack(share=1.0), n=5)
    assert {(r.intent, r.attack) for r in requests} == {
        ("incident_triage", "renamed_intent_for_test")
    }
