"""GET /healthz, GET /metrics, the OpenAPI schema, and the service config file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from service_support import ACME_KEY, API_KEYS, make_orchestrator, plan_body, request

from orchestrator.service import (
    CONFIG_ENV_VAR,
    ServiceConfigError,
    app_from_env,
    create_app,
    load_service_config,
)


def test_healthz_reports_liveness_and_every_tool_to_a_caller_with_a_key() -> None:
    response = request("GET", "/healthz", headers={"X-API-Key": ACME_KEY})
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert "echo" in json.dumps(health["tools"]) and "broken" in json.dumps(health["tools"])


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "forged-key-0000000000"}])
def test_healthz_without_a_key_is_bare_liveness(headers: dict[str, str]) -> None:
    response = request("GET", "/healthz", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_metrics_without_a_key_are_refused() -> None:
    response = request("GET", "/metrics")
    assert response.status_code == 401
    assert "gauntlet_" not in response.text


def test_healthz_shows_an_open_breaker_but_stays_live() -> None:
    async def scenario() -> dict:
        orchestrator = make_orchestrator()
        app = create_app(orchestrator, API_KEYS)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s"
        ) as client:
            for _ in range(8):
                await client.post(
                    "/v1/orchestrate",
                    json=plan_body("acme", "broken"),
                    headers={"X-API-Key": ACME_KEY},
                )
            answer = await client.get("/healthz", headers={"X-API-Key": ACME_KEY})
        await orchestrator.aclose()
        assert answer.status_code == 200
        return answer.json()

    health = asyncio.run(scenario())
    assert health["status"] == "ok"
    # one tenant's failures open its own breaker, shown as a count, not the shared one
    assert health["tools"]["broken"]["breaker"]["tenants_open"] == 1
    assert health["tools"]["echo"]["breaker"]["tenants_open"] == 0


def test_metrics_parse_and_count_requests_by_route_template() -> None:
    async def scenario() -> httpx.Response:
        orchestrator = make_orchestrator()
        app = create_app(orchestrator, API_KEYS)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s"
        ) as client:
            for _ in range(2):  # the same labels again: counted on the same series
                await client.post(
                    "/v1/orchestrate", json=plan_body(), headers={"X-API-Key": ACME_KEY}
                )
            await client.post("/v1/orchestrate", json=plan_body())
            await client.get("/no/such/path/12345")
            for junk in ("BREW", "XYZZY1", "XYZZY2"):  # made-up methods share one label
                await client.request(junk, "/v1/orchestrate")
            answer = await client.get("/metrics", headers={"X-API-Key": ACME_KEY})
        await orchestrator.aclose()
        return answer

    response = asyncio.run(scenario())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    counts = {
        (s.labels["route"], s.labels["status"]): s.value
        for s in families["gauntlet_http_requests"].samples
        if s.name == "gauntlet_http_requests_total"
    }
    assert counts[("/v1/orchestrate", "200")] == 2
    assert counts[("/v1/orchestrate", "401")] == 1
    # Unknown paths share one label value, so scanning cannot create new series.
    assert counts[("unmatched", "404")] == 1
    assert not any("12345" in route for route, _ in counts)
    methods = {
        s.labels["method"]
        for s in families["gauntlet_http_requests"].samples
        if s.name == "gauntlet_http_requests_total"
    }
    assert methods == {"GET", "POST", "other"}
    latency_counts = {
        s.labels["route"]: s.value
        for s in families["gauntlet_http_request_duration_seconds"].samples
        if s.name == "gauntlet_http_request_duration_seconds_count"
    }
    assert latency_counts["/v1/orchestrate"] == 3
    # The orchestrator's own registry is exposed too, without being passed explicitly.
    by_status = {
        s.labels["status"]: s.value
        for s in families["gauntlet_requests"].samples
        if s.name == "gauntlet_requests_total"
    }
    assert by_status == {"success": 2}


def test_metrics_include_the_given_registry() -> None:
    from prometheus_client import CollectorRegistry, Counter

    registry = CollectorRegistry()
    Counter("gauntlet_test_marker", "marker", registry=registry).inc(3)

    async def scenario() -> str:
        app = create_app(make_orchestrator(), API_KEYS, metrics_registry=registry)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://s"
        ) as client:
            return (await client.get("/metrics", headers={"X-API-Key": ACME_KEY})).text

    families = {f.name: f for f in text_string_to_metric_families(asyncio.run(scenario()))}
    assert families["gauntlet_test_marker"].samples[0].value == 3


def test_openapi_documents_the_routes_and_the_api_key() -> None:
    schema = request("GET", "/openapi.json").json()
    assert {"/v1/orchestrate", "/healthz", "/metrics"} <= set(schema["paths"])
    orchestrate = schema["paths"]["/v1/orchestrate"]["post"]
    assert {"200", "401", "403", "413", "422"} <= set(orchestrate["responses"])
    assert "X-Gauntlet-Status" in orchestrate["responses"]["200"]["headers"]
    assert "403" in orchestrate["description"] or "tenant" in orchestrate["description"]
    assert any(
        s.get("name") == "X-API-Key" for s in schema["components"]["securitySchemes"].values()
    )


def test_config_errors_name_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "service.json"
    path.write_text(
        json.dumps(
            {"ops_dsn": "x", "metrics_dsn": "x", "audit_dsn": "x", "spool_dir": "s", "api_keys": {}}
        )
    )
    with pytest.raises(ServiceConfigError, match=r"service\.json: api_keys: "):
        load_service_config(path)
    path.write_text('{"ops_dsn": "x",\n  oops}')
    with pytest.raises(ServiceConfigError, match=r"service\.json:2:\d+: not valid JSON"):
        load_service_config(path)
    with pytest.raises(ServiceConfigError, match="cannot read"):
        load_service_config(tmp_path / "absent.json")


def test_app_from_env_without_the_variable_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    with pytest.raises(ServiceConfigError, match=CONFIG_ENV_VAR):
        app_from_env()


def test_the_public_surface_is_pinned() -> None:
    import orchestrator.service as service

    assert set(service.__all__) == {
        "CONFIG_ENV_VAR",
        "DEFAULT_MAX_BODY_BYTES",
        "REQUEST_ID_HEADER",
        "STATUS_HEADER",
        "ApiKeyTable",
        "OrchestratorService",
        "ServiceConfig",
        "ServiceConfigError",
        "StopSignals",
        "app_from_env",
        "bind_listener",
        "build_app",
        "config_from_env",
        "create_app",
        "env_from_config",
        "load_service_config",
        "serve_until_stopped",
        "write_service_config",
    }


def test_docs_page_and_its_assets_come_from_the_service_itself() -> None:
    import re

    page = request("GET", "/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    links = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert links and all(link.startswith("/") for link in links), links  # no CDN
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        answer = request("GET", asset)
        assert answer.status_code == 200 and len(answer.content) > 10_000, asset
    assert request("GET", "/redoc").status_code == 404  # no page that needs a CDN
