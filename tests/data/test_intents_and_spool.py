"""Pure parts of the data layer: the built-in intents and the audit spool (no services)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos.seed import SERVICES, SeedOptions, api_keys, dependency_edges
from orchestrator.contracts import OrchestrationRequest
from orchestrator.errors import PlanningError
from orchestrator.intents import register_ops_intents
from orchestrator.planner import Planner
from orchestrator.tools._audit_spool import AuditSpool


def _plan(intent: str, **parameters: object):
    planner = Planner()
    register_ops_intents(planner)
    return planner.plan(
        OrchestrationRequest(tenant_id="acme", intent=intent, parameters=parameters)
    )


def test_intents_use_the_real_tool_ids_and_stages() -> None:
    overview = _plan("service_overview", service="checkout")
    assert [c.tool_id for c in overview.stages[0].calls] == [
        "direct_query",
        "metrics",
        "topology",
        "audit",
    ]
    triage = _plan("incident_triage", service="payments")
    assert len(triage.stages) == 2
    assert triage.stages[1].calls[0].depends_on == ["topology"]
    adhoc = _plan("ad_hoc_query", sql="SELECT 1")
    assert [c.tool_id for c in adhoc.stages[0].calls] == ["direct_query", "audit"]


@pytest.mark.parametrize(
    "intent, parameters, expected",
    [
        ("service_overview", {}, "parameter 'service'"),
        ("service_overview", {"service": "Robert'); DROP"}, "parameter 'service'"),
        ("incident_triage", {"service": "cart", "extra": 1}, "unknown parameter"),
        ("ad_hoc_query", {"sql": "  "}, "parameter 'sql'"),
    ],
)
def test_bad_intent_parameters_are_a_planning_error(
    intent: str, parameters: dict, expected: str
) -> None:
    with pytest.raises(PlanningError, match=expected):
        _plan(intent, **parameters)


def test_seed_is_deterministic_and_the_topology_is_acyclic() -> None:
    options = SeedOptions(services_per_tenant=12)
    edges = dependency_edges(options, "acme")
    assert edges == dependency_edges(options, "acme")
    assert edges and all(SERVICES.index(a) < SERVICES.index(b) for a, b in edges)


def test_api_keys_are_random_on_every_stack() -> None:
    """Not computable from the source: two stacks never share a key."""
    first, second = api_keys(3), api_keys(3)
    assert sorted(first.values()) == sorted(second.values()) == ["acme", "globex", "initech"]
    assert not set(first) & set(second)
    assert all(len(key) > 40 for key in first)


def test_the_spool_keeps_acknowledged_records_and_skips_a_torn_line(tmp_path: Path) -> None:
    spool = AuditSpool(tmp_path)
    spool.append({"request_id": "r1"})
    spool.rotate()
    spool.append({"request_id": "r2"})
    with open(spool.path, "ab") as torn:  # a crash mid-append: never acknowledged
        torn.write(b'{"request_id": "r3"')
    assert [r["request_id"] for r in spool.pending_records()] == ["r1", "r2"]
    assert len(spool.replay_files()) == 1
    for replay_file in spool.replay_files():
        spool.discard(replay_file)
    assert [r["request_id"] for r in spool.pending_records()] == ["r2"]
