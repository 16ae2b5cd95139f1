"""The contract on its own: every name it gives has one meaning, and both ways between a
deployment's settings and the environment agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import contract
from contract import ErrorClass, Status, ToolErrorCode


def test_every_status_is_defined_and_every_definition_is_a_status() -> None:
    assert set(contract.STATUS_DEFINITIONS) == set(Status)
    assert [s.value for s in Status] == ["success", "partial", "degraded", "failed"]


def test_every_error_code_has_exactly_one_class() -> None:
    assert set(contract.ERROR_CLASSES) == set(ToolErrorCode)
    classes = [contract.codes_of(cls) for cls in ErrorClass]
    assert sum(len(codes) for codes in classes) == len(ToolErrorCode)
    assert contract.codes_of(ErrorClass.SECURITY) == {
        ToolErrorCode.UNSAFE_QUERY,
        ToolErrorCode.TENANT_VIOLATION,
        ToolErrorCode.UNAUTHENTICATED,
    }
    assert [code for code in ToolErrorCode if code.is_security] == sorted(
        contract.codes_of(ErrorClass.SECURITY), key=list(ToolErrorCode).index
    )


def test_the_breaker_counts_only_what_speaks_of_the_upstreams_health() -> None:
    health = contract.upstream_health_codes()
    assert ToolErrorCode.TIMEOUT in health and ToolErrorCode.CONNECTION_ERROR in health
    # Its own refusal and the caller's mistakes must never open a breaker.
    assert not health & {ToolErrorCode.CIRCUIT_OPEN, ToolErrorCode.INVALID_ARGUMENTS}
    assert not health & contract.codes_of(ErrorClass.SECURITY)


def test_the_published_document_names_the_same_codes_and_paths() -> None:
    document = json.loads(contract.OPENAPI_DOCUMENT.read_text(encoding="utf-8"))
    assert document["components"]["schemas"]["ToolErrorCode"]["enum"] == list(ToolErrorCode)
    assert {contract.ORCHESTRATE_PATH, contract.HEALTH_PATH, contract.METRICS_PATH} <= set(
        document["paths"]
    )


def test_the_request_body_leaves_out_what_was_not_asked() -> None:
    assert contract.request_body("acme", "ad_hoc_query", {"sql": "SELECT 1"}) == {
        "tenant_id": "acme",
        "intent": "ad_hoc_query",
        "parameters": {"sql": "SELECT 1"},
    }
    body = contract.request_body("acme", "x", request_id="r-1", deadline_seconds=2.5)
    assert body["request_id"] == "r-1" and body["deadline_seconds"] == 2.5


SETTINGS = {
    "ops_dsn": "postgresql://reader@127.0.0.1:1/ops",
    "metrics_dsn": "postgresql://reader@127.0.0.1:2/metrics",
    "audit_dsn": "postgresql://auditor@127.0.0.1:1/ops",
    "api_keys": {"key-a": "acme"},
    "spool_dir": Path("/tmp/spool"),
}


@given(
    deadline=st.floats(min_value=0.001, max_value=300),
    threshold=st.integers(min_value=1, max_value=1000),
    limits=st.dictionaries(
        st.sampled_from(contract.TOOL_IDS),
        st.fixed_dictionaries({"per_minute": st.integers(1, 10_000)}),
    ),
)
def test_settings_survive_the_environment(
    deadline: float, threshold: int, limits: dict[str, dict[str, int]]
) -> None:
    settings = {
        **SETTINGS,
        "request_deadline_seconds": deadline,
        "breaker_failure_threshold": threshold,
        "rate_limits": limits,
    }
    back = contract.settings_from_env(contract.environment(settings, port=8080))
    assert float(back.pop("request_deadline_seconds")) == deadline  # type: ignore[arg-type]
    assert int(back.pop("breaker_failure_threshold")) == threshold  # type: ignore[call-overload]
    assert back.pop("rate_limits", {}) == limits
    assert back == {**SETTINGS, "spool_dir": "/tmp/spool"}


def test_a_missing_variable_or_bad_json_is_one_line_naming_it() -> None:
    env = contract.environment(SETTINGS)
    with pytest.raises(contract.ContractEnvironmentError, match="GAUNTLET_METRICS_DSN must"):
        contract.settings_from_env({k: v for k, v in env.items() if k != contract.METRICS_DSN})
    with pytest.raises(contract.ContractEnvironmentError, match="^GAUNTLET_API_KEYS: not valid"):
        contract.settings_from_env({**env, contract.API_KEYS: "{oops"})
    with pytest.raises(contract.ContractEnvironmentError, match="unknown setting"):
        contract.environment({**SETTINGS, "ops_dns": "x"})


@pytest.mark.parametrize(
    ("intent", "parameters", "says"),
    [
        ("service_overview", {"service": "checkout"}, None),
        ("service_overview", {}, "parameter 'service': expected a service name"),
        ("service_overview", {"service": "Robert'); DROP"}, "parameter 'service'"),
        ("incident_triage", {"service": "cart", "extra": 1}, "unknown parameter(s) ['extra']"),
        ("ad_hoc_query", {"sql": "  "}, "parameter 'sql': expected a non-empty string"),
        ("ad_hoc_query", {"sql": "SELECT 1", "params": [1]}, "parameter 'params'"),
        ("ad_hoc_query", {"sql": "SELECT 1", "params": {"a": 1}}, None),
    ],
)
def test_intent_parameters_are_checked_against_their_schema(
    intent: str, parameters: dict[str, object], says: str | None
) -> None:
    problem = contract.parameter_error(intent, parameters)
    assert problem is None if says is None else says in (problem or "")


def test_every_intent_reads_only_tools_of_the_contract() -> None:
    for intent in contract.INTENTS.values():
        assert set(intent.reads) <= set(contract.TOOL_IDS), intent.name
        assert intent.parameters["type"] == "object"


def test_a_tenant_reads_as_its_own_role_in_the_tenants_group() -> None:
    assert contract.tenant_role("acme") == "gauntlet_tenant_acme"
    assert contract.tenant_role("acme") != contract.TENANTS_GROUP_ROLE
