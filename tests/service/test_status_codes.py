"""The service's status codes: 422 for every request it cannot take or cannot plan, one
error body shape everywhere, and never a 500 while rendering an error."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from service_support import ACME_KEY, API_KEYS, make_orchestrator, plan_body

from orchestrator.intents import register_ops_intents
from orchestrator.service import create_app

URL = "/v1/orchestrate"
JSON = {"X-API-Key": ACME_KEY, "content-type": "application/json"}


def _send(requests: list[dict[str, Any]]) -> tuple[list[httpx.Response], dict[str, int]]:
    """Each request against one app; also what the orchestrator counted as orchestrations."""

    async def scenario() -> tuple[list[httpx.Response], dict[str, int]]:
        orchestrator = make_orchestrator(with_audit=True)
        register_ops_intents(orchestrator.planner)
        app = create_app(orchestrator, API_KEYS)
        try:
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
                answers = [await client.request(**request) for request in requests]
            return answers, dict(orchestrator.metrics.requests)
        finally:
            await orchestrator.aclose()

    return asyncio.run(scenario())


def _is_error_body(response: httpx.Response) -> bool:
    body = response.json()
    return set(body) == {"error", "fields"} and isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize(
    "raw_body",
    [
        b'{"tenant_id": "acme", "intent": "service_overview", "deadline_seconds": NaN}',
        b'{"tenant_id": "acme", "intent": "service_overview", "deadline_seconds": Infinity}',
        b'{"tenant_id": "acme", "intent": "service_overview", "deadline_seconds": -Infinity}',
        b'{"tenant_id": "\\ud800", "intent": "service_overview"}',
        b'{"tenant_id": "acme", "intent": "service_overview", "\\udfff": 1}',
        b'{"tenant_id": "acme", "intent": "\\ud800\\u0000"}',
    ],
    ids=["nan", "infinity", "minus-infinity", "surrogate-tenant", "surrogate-field", "nul-intent"],
)
def test_values_json_cannot_carry_back_are_a_clean_422(raw_body: bytes) -> None:
    [response], _ = _send([{"method": "POST", "url": URL, "content": raw_body, "headers": JSON}])
    assert response.status_code == 422, response.text
    assert _is_error_body(response)
    assert response.json()["fields"], "the offending field is named"


PLANNING_ERRORS = {
    "unknown intent": {"tenant_id": "acme", "intent": "no_such_intent"},
    "bad service name": {
        "tenant_id": "acme",
        "intent": "service_overview",
        "parameters": {"service": "Check Out!"},
    },
    "extra parameter": {
        "tenant_id": "acme",
        "intent": "service_overview",
        "parameters": {"service": "checkout", "verbose": True},
    },
    "sql not a string": {"tenant_id": "acme", "intent": "ad_hoc_query", "parameters": {"sql": 7}},
    "unknown tool": plan_body("acme", "no_such_tool"),
}


@pytest.mark.parametrize("body", PLANNING_ERRORS.values(), ids=PLANNING_ERRORS.keys())
def test_a_request_that_cannot_be_planned_is_422_and_no_orchestration(body: dict) -> None:
    requests = [{"method": "POST", "url": URL, "json": body, "headers": JSON}]
    [response], counted = _send(requests)
    assert response.status_code == 422, response.text
    assert _is_error_body(response) and response.json()["fields"] == []
    assert counted == {}, "a refused request is not a failed orchestration"


def test_a_plannable_request_is_still_answered_and_counted() -> None:
    requests = [{"method": "POST", "url": URL, "json": plan_body(), "headers": JSON}]
    [response], counted = _send(requests)
    assert response.status_code == 200 and response.json()["status"] == "success"
    assert counted == {"success": 1}


def test_every_error_has_the_same_body_shape() -> None:
    responses, _ = _send(
        [
            {"method": "POST", "url": URL, "json": plan_body()},  # 401
            {"method": "POST", "url": URL, "json": plan_body("globex"), "headers": JSON},  # 403
            {"method": "POST", "url": URL, "json": {"tenant_id": "acme"}, "headers": JSON},  # 422
            {"method": "GET", "url": "/no/such/route"},  # 404
            {"method": "DELETE", "url": "/healthz"},  # 405
        ]
    )
    assert [r.status_code for r in responses] == [401, 403, 422, 404, 405]
    assert all(_is_error_body(response) for response in responses)


def test_the_openapi_schema_documents_the_one_error_body() -> None:
    [response], _ = _send([{"method": "GET", "url": "/openapi.json"}])
    schema = response.json()
    operation = schema["paths"][URL]["post"]
    for status in ("401", "403", "413", "422"):
        ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorBody")
    assert set(schema["components"]["schemas"]["ErrorBody"]["properties"]) == {"error", "fields"}
