"""The server's audit call records what the request asked for, whole: every call of a plan
and all of its SQL, so no call runs unaudited; past the size bound, a digest and length."""

from __future__ import annotations

import hashlib
import json

from orchestrator import OrchestrationRequest
from orchestrator.audit_plan import MAX_DETAIL_BYTES, with_server_audit
from orchestrator.contracts import Plan


def _plan(calls: int, sql: str) -> dict:
    return {
        "stages": [
            {
                "calls": [
                    {
                        "call_id": f"q{i}",
                        "tool_id": "direct_query",
                        "arguments": {"sql": sql, "params": {"x": {"deep": [i]}}},
                    }
                    for i in range(calls)
                ]
            }
        ]
    }


def _detail(request: OrchestrationRequest) -> dict:
    assert request.plan is not None
    planned = with_server_audit(request.plan, request)
    audit = next(c for c in planned.stages[0].calls if c.tool_id == "audit")
    return audit.arguments["detail"]


def test_every_call_and_all_of_its_sql_are_recorded() -> None:
    padded = "SELECT 1 AS one" + " " * 2000 + "-- the part a cut would hide"
    request = OrchestrationRequest(tenant_id="acme", plan=Plan.model_validate(_plan(25, padded)))
    detail = _detail(request)
    assert [call["call_id"] for call in detail["calls"]] == [f"q{i}" for i in range(25)]
    assert all(call["arguments"]["sql"] == padded for call in detail["calls"])
    assert detail["calls"][24]["arguments"]["params"] == {"x": {"deep": [24]}}


def test_an_oversized_detail_keeps_its_length_and_digest() -> None:
    huge = "SELECT 1 AS one -- " + "x" * MAX_DETAIL_BYTES
    request = OrchestrationRequest(tenant_id="acme", plan=Plan.model_validate(_plan(1, huge)))
    detail = _detail(request)
    whole = json.dumps(
        {
            "calls": [
                c.model_dump(include={"call_id", "tool_id", "arguments"})
                for c in request.plan.stages[0].calls
            ]
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    assert detail["oversized"] is True and detail["bytes"] == len(whole)
    assert detail["sha256"] == hashlib.sha256(whole).hexdigest()
    assert detail["prefix"].startswith('{"calls":[{"arguments":')


def test_text_postgres_refuses_is_measured_not_refused_here() -> None:
    # The record is made safe later (`_audit_record`); planning must not fail on it.
    request = OrchestrationRequest(
        tenant_id="acme", intent="ad_hoc_query", parameters={"sql": "SELECT 1 -- \ud800\x00"}
    )
    plan = Plan.model_validate(_plan(1, "SELECT 1"))
    planned = with_server_audit(plan, request)
    audit = next(c for c in planned.stages[0].calls if c.tool_id == "audit")
    assert audit.arguments["detail"]["parameters"] == {"sql": "SELECT 1 -- \ud800\x00"}
