"""POST /v1/orchestrate: authentication, tenancy, validation, body bound, answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import httpx
from service_support import ACME_KEY, API_KEYS, SleepyTool, make_orchestrator, plan_body, request

from orchestrator import Plan, Stage, ToolCall
from orchestrator.deadline import LingeringTasks
from orchestrator.executor import Orchestrator
from orchestrator.service import create_app

URL = "/v1/orchestrate"


def test_missing_and_unknown_keys_get_the_same_401() -> None:
    missing = request("POST", URL, json=plan_body())
    unknown = request("POST", URL, json=plan_body(), headers={"X-API-Key": "key-acme-0123456780"})
    empty = request("POST", URL, json=plan_body(), headers={"X-API-Key": ""})
    for response in (missing, unknown, empty):
        assert response.status_code == 401
        assert set(response.json()) == {"error", "fields"}
    assert missing.json() == unknown.json() == empty.json()
    assert "key-" not in missing.text


def test_authentication_is_checked_before_the_fields_are_validated() -> None:
    response = request("POST", URL, json={"tenant_id": "acme"})
    assert response.status_code == 401


def test_a_body_naming_another_tenant_is_refused_with_403() -> None:
    response = request("POST", URL, json=plan_body("globex"), headers={"X-API-Key": ACME_KEY})
    assert response.status_code == 403
    message = response.json()["error"]
    assert "'globex'" in message and "tenant" in message


def test_invalid_body_is_422_with_the_field_named() -> None:
    no_tenant = plan_body()
    del no_tenant["tenant_id"]
    response = request("POST", URL, json=no_tenant, headers={"X-API-Key": ACME_KEY})
    assert response.status_code == 422
    assert ["body", "tenant_id"] in [error["loc"] for error in response.json()["fields"]]

    typo = plan_body(deadline_secs=3)
    response = request("POST", URL, json=typo, headers={"X-API-Key": ACME_KEY})
    assert response.status_code == 422
    assert ["body", "deadline_secs"] in [error["loc"] for error in response.json()["fields"]]


def test_malformed_json_is_422_not_500() -> None:
    response = request(
        "POST",
        URL,
        content=b'{"tenant_id": "acme",',
        headers={"X-API-Key": ACME_KEY, "content-type": "application/json"},
    )
    assert response.status_code == 422


def test_oversized_body_is_413_by_declared_length() -> None:
    body = plan_body(parameters={"padding": "x" * (70 * 1024)})
    response = request("POST", URL, json=body, headers={"X-API-Key": ACME_KEY})
    assert response.status_code == 413
    assert "65536" in response.json()["error"]


def test_oversized_chunked_body_is_413_without_a_declared_length() -> None:
    async def chunks():  # no Content-Length: the limit must hold while streaming
        yield b'{"tenant_id": "acme", "parameters": {"padding": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}, "intent": "service_overview"}'

    response = request(
        "POST",
        URL,
        content=chunks(),
        headers={"X-API-Key": ACME_KEY, "content-type": "application/json"},
    )
    assert response.status_code == 413


def test_a_body_just_under_the_limit_is_accepted() -> None:
    body = plan_body()
    body["plan"]["stages"][0]["calls"][0]["arguments"]["padding"] = "x" * (60 * 1024)
    response = request("POST", URL, json=body, headers={"X-API-Key": ACME_KEY})
    assert response.status_code == 200


def test_success_answers_200_with_the_status_in_body_and_header() -> None:
    response = request(
        "POST",
        URL,
        json=plan_body("acme", "echo", request_id="req-1"),
        headers={"X-API-Key": ACME_KEY},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "success"
    assert response.headers["X-Gauntlet-Status"] == "success"
    assert response.headers["X-Request-ID"] == "req-1" == answer["request_id"]
    assert answer["tenant_id"] == "acme"
    assert answer["results"][0]["data"]["tenant_id"] == "acme"


def test_a_failed_orchestration_is_still_an_http_200_answer() -> None:
    response = request(
        "POST", URL, json=plan_body("acme", "broken"), headers={"X-API-Key": ACME_KEY}
    )
    assert response.status_code == 200
    assert response.headers["X-Gauntlet-Status"] == "failed"
    result = response.json()["results"][0]
    assert result["success"] is False and result["error_code"] == "upstream_error"


def test_the_key_decides_the_tenant_for_each_caller() -> None:
    response = request(
        "POST",
        URL,
        json=plan_body("globex", "echo"),
        headers={"X-API-Key": "key-globex-9876543210"},
    )
    assert response.status_code == 200
    assert json.loads(response.text)["results"][0]["data"]["tenant_id"] == "globex"


def test_a_tool_not_offered_to_the_keys_tenant_is_refused_as_a_security_error() -> None:
    globex = {"X-API-Key": "key-globex-9876543210"}
    response = request("POST", URL, json=plan_body("globex", "echo", "acme_only"), headers=globex)
    assert response.status_code == 200
    assert response.headers["X-Gauntlet-Status"] == "partial"
    refused = {r["tool_id"]: r for r in response.json()["results"]}["acme_only"]
    assert refused["security_error"] is True and refused["error_code"] == "tenant_violation"


def test_a_request_cannot_extend_the_service_deadline() -> None:
    # Three sequential 0.3 s calls need 0.9 s: inside a 300 s request deadline, but not
    # inside the service's 0.5 s one, which must win.
    stages = [{"calls": [{"call_id": f"s{i}", "tool_id": "sleepy"}]} for i in range(3)]
    body = {"tenant_id": "acme", "plan": {"stages": stages}, "deadline_seconds": 300}

    async def error_codes(max_deadline_seconds: float) -> list[str | None]:
        orchestrator = Orchestrator(
            [SleepyTool(0.3)], lingering=LingeringTasks(), request_deadline_seconds=300
        )
        app = create_app(orchestrator, API_KEYS, max_deadline_seconds=max_deadline_seconds)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s"
        ) as client:
            answer = await client.post(URL, json=body, headers={"X-API-Key": ACME_KEY})
        await orchestrator.aclose()
        return [result["error_code"] for result in answer.json()["results"]]

    assert asyncio.run(error_codes(300)) == [None, None, None]
    assert "timeout" in asyncio.run(error_codes(0.5))


def test_each_request_is_planned_once() -> None:
    """The service plans to refuse what cannot be planned, then hands that plan on."""
    built: list[Mapping[str, Any]] = []

    def echo_intent(parameters: Mapping[str, Any]) -> Plan:
        built.append(parameters)
        return Plan(stages=[Stage(calls=[ToolCall(call_id="e", tool_id="echo")])])

    async def scenario() -> httpx.Response:
        orchestrator = make_orchestrator()
        orchestrator.planner.register("echo", echo_intent)
        app = create_app(orchestrator, API_KEYS)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s"
        ) as client:
            body = {"tenant_id": "acme", "intent": "echo", "parameters": {"n": 1}}
            answer = await client.post(URL, json=body, headers={"X-API-Key": ACME_KEY})
        await orchestrator.aclose()
        return answer

    answer = asyncio.run(scenario())
    assert answer.status_code == 200 and answer.json()["status"] == "success"
    assert built == [{"n": 1}]
