"""Each tool's transaction costs the round trips it promises, carries its whole tenant scope,
and a refused statement leaves no transaction behind on the pooled connection (read from
libpq's own trace of the protocol: `data_world.TracedPool`).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

import pytest
from data_world import TracedPool, call_context, round_trips, statements_sent

from chaos.postgres import EmbeddedPostgres
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.intents import SERVICE_OVERVIEW_SQL
from orchestrator.tools import AuditTool, DirectQueryTool, GuardedPool, MetricsTool, TopologyTool

pytestmark = pytest.mark.integration

_READ_SCOPE = (
    "SET TRANSACTION READ ONLY",
    'SET LOCAL ROLE "gauntlet_tenant_acme"',
    "SET LOCAL app.tenant_id = 'acme'",
    "SET LOCAL statement_timeout",
    "SET LOCAL idle_in_transaction_session_timeout",
)
_WRITE_SCOPE = _READ_SCOPE[2:]


def _pool(postgres: EmbeddedPostgres, db: str, role: str, *, reset_sessions: bool) -> TracedPool:
    """A pool of one connection, its sessions kept or reset as `build_tools` does."""
    dsn = postgres.dsn(db, role)
    pool = GuardedPool(dsn, max_size=1, lingering=LingeringTasks(), reset_sessions=reset_sessions)
    return TracedPool(pool)


def _sent_in_order(statements: list[str], expected: tuple[str, ...]) -> bool:
    position = 0
    for statement in statements:
        if position < len(expected) and statement.startswith(expected[position]):
            position += 1
    return position == len(expected)


@pytest.mark.parametrize(
    ("tool_id", "expected"),
    [("metrics", 2), ("topology", 2), ("audit", 2), ("direct_query", 3)],
)
def test_each_tool_sends_its_scoped_transaction_in_the_round_trips_it_promises(
    postgres: EmbeddedPostgres, tool_id: str, expected: int
) -> None:
    """BEGIN with the scope as one message, then the statements and COMMIT pipelined
    behind one Sync; direct_query's streamed rows cannot be pipelined: its COMMIT is a
    round trip of its own."""
    spool = Path(tempfile.mkdtemp(prefix="round-trips-"))
    if tool_id == "metrics":
        pool = _pool(postgres, "metrics", "gauntlet_reader", reset_sessions=False)
        tool: Any = MetricsTool(pool)  # type: ignore[arg-type]
        arguments: dict[str, Any] = {"service": "checkout", "metric": "latency_p95_ms"}
    elif tool_id == "topology":
        pool = _pool(postgres, "ops", "gauntlet_reader", reset_sessions=False)
        tool = TopologyTool(pool)  # type: ignore[arg-type]
        arguments = {"service": "checkout"}
    elif tool_id == "audit":
        pool = _pool(postgres, "ops", "gauntlet_auditor", reset_sessions=False)
        tool = AuditTool(pool, spool_dir=spool)  # type: ignore[arg-type]
        arguments = {"action": "service_overview", "detail": {"service": "checkout"}}
    else:
        pool = _pool(postgres, "ops", "gauntlet_reader", reset_sessions=True)
        tool = DirectQueryTool(pool)  # type: ignore[arg-type]
        arguments = {"sql": SERVICE_OVERVIEW_SQL, "params": {"service": "checkout"}}
    request_id = f"round-trips-{tool_id}-{id(pool):x}"

    async def scenario() -> Any:
        try:
            return await tool.run(arguments, call_context("acme", request_id=request_id))
        finally:
            await tool.aclose()

    assert asyncio.run(scenario())
    [messages] = pool.calls
    statements = statements_sent(messages)
    scope = _WRITE_SCOPE if tool_id == "audit" else _READ_SCOPE
    assert statements[0] == "BEGIN" and statements[-1] == "COMMIT", statements
    assert _sent_in_order(statements, ("BEGIN", *scope, "COMMIT")), statements
    assert round_trips(messages) == expected, messages


def test_a_refused_statement_leaves_no_transaction_on_the_pooled_connection(
    postgres: EmbeddedPostgres, caplog: pytest.LogCaptureFixture
) -> None:
    """A tenant with no role of its own is refused as its scope is set, a statement as it
    runs; each transaction is rolled back by the tool, not left to the pool (which would
    warn), and the one connection serves the next call."""
    topology_pool = _pool(postgres, "ops", "gauntlet_reader", reset_sessions=False)
    topology = TopologyTool(topology_pool)  # type: ignore[arg-type]
    query_pool = _pool(postgres, "ops", "gauntlet_reader", reset_sessions=True)
    query = DirectQueryTool(query_pool, validate_queries=False)  # type: ignore[arg-type]

    async def scenario() -> tuple[ToolError, ToolError, Any, Any]:
        try:
            with pytest.raises(ToolError) as no_role:
                await topology.run({"service": "checkout"}, call_context("no-such-tenant"))
            graph = await topology.run({"service": "checkout"}, call_context("acme"))
            with pytest.raises(ToolError) as division:
                await query.run({"sql": "SELECT 1 / 0 AS n"}, call_context("acme"))
            rows = await query.run({"sql": "SELECT 1 AS n"}, call_context("acme"))
            return no_role.value, division.value, graph, rows
        finally:
            await topology.aclose()
            await query.aclose()

    with caplog.at_level(logging.WARNING, logger="psycopg"):
        no_role, division, graph, rows = asyncio.run(scenario())
    assert "gauntlet_tenant_no-such-tenant" in no_role.message
    assert division.code is ToolErrorCode.INVALID_ARGUMENTS
    assert graph["service"] == "checkout" and rows["rows"] == [{"n": 1}]
    for pool in topology_pool, query_pool:
        refused, served = (statements_sent(messages) for messages in pool.calls)
        assert refused[-1] == "ROLLBACK" and served[-1] == "COMMIT", (refused, served)
    assert not [r for r in caplog.records if "rolling back returned connection" in r.message]
