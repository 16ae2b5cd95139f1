"""The reference's promises file says what the reference really does, as the suite
deploys it: a change to either side without the other fails here."""

from __future__ import annotations

from orchestrator.call_policy import PolicySettings
from orchestrator.capabilities import ToolCapability
from orchestrator.tools._tenant_tx import TOOL_TIMEOUT_SECONDS
from scenarios.runner import suite_run
from scenarios.spec.promises_file import promises_in_effect

REFERENCE = promises_in_effect(None, reference=True)


def test_the_deadlines_are_the_reference_deadlines() -> None:
    assert REFERENCE.request_deadline_seconds == suite_run.REQUEST_DEADLINE_S
    assert REFERENCE.call_deadline_seconds == {
        tool: TOOL_TIMEOUT_SECONDS for tool in ("direct_query", "metrics", "topology", "audit")
    }


def test_the_breaker_bulkheads_and_share_are_the_reference_policy() -> None:
    policy = PolicySettings()
    assert REFERENCE.breaker is not None and REFERENCE.breaker.per_tool
    assert REFERENCE.breaker.failure_threshold == suite_run.BREAKER_FAILURE_THRESHOLD
    assert REFERENCE.breaker.cool_down_seconds == suite_run.BREAKER_COOL_DOWN_S
    slots = ToolCapability.model_fields["max_concurrent_calls"].default
    for bulkhead in REFERENCE.bulkheads.values():
        assert (bulkhead.slots, bulkhead.queue_wait_seconds) == (slots, policy.queue_budget_seconds)
    assert REFERENCE.tenant_share == policy.tenant_share


def test_the_rate_limits_are_the_suites_deployment() -> None:
    declared = {
        tool: limit.model_dump(exclude_none=True) for tool, limit in REFERENCE.rate_limits.items()
    }
    assert declared == suite_run.RATE_LIMITS


def test_the_validator_and_its_size_cap_are_the_references() -> None:
    from orchestrator.safety import MAX_QUERY_BYTES

    assert REFERENCE.query_validator is not None
    assert REFERENCE.query_validator.max_sql_bytes == MAX_QUERY_BYTES


def test_the_audit_spool_bound_is_the_suites_deployment_and_the_reference_keeps_it() -> None:
    import contract
    from orchestrator.service import config_from_env

    assert REFERENCE.audit_spool is not None
    assert REFERENCE.audit_spool.max_pending_bytes == suite_run.AUDIT_SPOOL_MAX_BYTES
    variable = {contract.AUDIT_SPOOL_MAX_BYTES: str(suite_run.AUDIT_SPOOL_MAX_BYTES)}
    required = {name: "x" for name in contract.REQUIRED} | {contract.API_KEYS: '{"k": "acme"}'}
    config = config_from_env(required | variable)
    assert config.audit_spool_max_bytes == suite_run.AUDIT_SPOOL_MAX_BYTES
