"""The tools whose pools keep their sessions run their fixed statements prepared, and a
prepared statement answers each tenant as the unprepared one did: the server plans it
for the tenant's role (row-level security) and reads `app.tenant_id` as it runs.

direct_query's pool resets every session (DISCARD ALL), so it prepares nothing.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from data_world import TracedPool, call_context

from chaos.postgres import EmbeddedPostgres
from orchestrator.deadline import LingeringTasks
from orchestrator.tools import DirectQueryTool, GuardedPool, MetricsTool, TopologyTool

pytestmark = pytest.mark.integration

TENANTS = ("acme", "globex")
CALLS_PER_TENANT = 8  # past psycopg's threshold: a statement run five times is prepared
# a Bind to a named statement: one prepared on this connection
_PREPARED_BIND = re.compile(r'^F\t\d+\tBind\t "" "_pg3_\d+"')


def _prepared_binds(pool: TracedPool) -> int:
    return sum(bool(_PREPARED_BIND.match(m)) for call in pool.calls for m in call)


def _answers_by_tenant(tool: Any, arguments: dict[str, Any]) -> dict[str, list[Any]]:
    """Every tenant's answers, the tenants taking turns on the pool's one connection."""

    async def scenario() -> dict[str, list[Any]]:
        answers: dict[str, list[Any]] = {tenant: [] for tenant in TENANTS}
        try:
            for _ in range(CALLS_PER_TENANT):
                for tenant in TENANTS:
                    answers[tenant].append(await tool.run(arguments, call_context(tenant)))
            return answers
        finally:
            await tool.aclose()

    return asyncio.run(scenario())


def _one_connection(postgres: EmbeddedPostgres, db: str, *, reset_sessions: bool) -> TracedPool:
    """A pool of one connection, its sessions kept or reset as `build_tools` does."""
    pool = GuardedPool(
        postgres.dsn(db, "gauntlet_reader"),
        max_size=1,
        lingering=LingeringTasks(),
        reset_sessions=reset_sessions,
    )
    return TracedPool(pool)


def test_a_prepared_topology_walk_answers_each_tenant_with_its_own_graph(
    postgres: EmbeddedPostgres,
) -> None:
    pool = _one_connection(postgres, "ops", reset_sessions=False)
    answers = _answers_by_tenant(TopologyTool(pool), {"service": "checkout"})  # type: ignore[arg-type]
    assert _prepared_binds(pool) > 0
    for tenant, graphs in answers.items():
        assert all(graph == graphs[0] for graph in graphs), tenant


def test_prepared_metrics_answer_each_tenant_with_its_own_samples(
    postgres: EmbeddedPostgres,
) -> None:
    pool = _one_connection(postgres, "metrics", reset_sessions=False)
    arguments = {"service": "checkout", "metric": "latency_p95_ms"}
    answers = _answers_by_tenant(MetricsTool(pool), arguments)  # type: ignore[arg-type]
    assert _prepared_binds(pool) > 0
    for tenant, series in answers.items():
        assert series[0]["series"] and all(s == series[0] for s in series), tenant
    acme, globex = (answers[tenant][0]["series"] for tenant in TENANTS)
    assert acme != globex  # the tenants' samples differ: the check above could tell them apart


def test_a_pool_that_resets_its_sessions_prepares_nothing(postgres: EmbeddedPostgres) -> None:
    pool = _one_connection(postgres, "ops", reset_sessions=True)
    tool = DirectQueryTool(pool, validate_queries=False)  # type: ignore[arg-type]
    answers = _answers_by_tenant(tool, {"sql": "SELECT tenant_id FROM ops.tenants"})
    assert _prepared_binds(pool) == 0
    for tenant, rows in answers.items():
        assert all(r["rows"] == [{"tenant_id": tenant}] for r in rows), tenant
