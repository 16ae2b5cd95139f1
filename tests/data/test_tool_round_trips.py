"""Each tool's transaction costs the round trips it promises, carries its whole tenant scope,
and a refused statement leaves no transaction behind on the pooled connection.

Round trips are read from libpq's own trace of the protocol: the client's messages are
logged as it sends them and the server's as they arrive, so each run of client messages
after the first is a wait for the server.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from data_world import call_context

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


class _TracedPool:
    """A `GuardedPool` whose every call is traced by libpq: one list of messages per call."""

    def __init__(self, pool: GuardedPool) -> None:
        self._pool = pool
        self.calls: list[list[str]] = []

    async def run(
        self, budget_seconds: float, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[Any]]
    ) -> Any:
        async def traced(conn: psycopg.AsyncConnection[Any]) -> Any:
            with tempfile.TemporaryFile("w+") as log:
                conn.pgconn.trace(log.fileno())
                conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
                try:
                    return await work(conn)
                finally:
                    conn.pgconn.untrace()  # flushes the log
                    log.seek(0)
                    # one message a line, but a statement may span several
                    self.calls.append(re.split(r"\n(?=[FB]\t)", log.read().strip()))

        return await self._pool.run(budget_seconds, traced)

    async def aclose(self) -> None:
        await self._pool.aclose()


def _round_trips(messages: list[str]) -> int:
    """How many times the client sent something and then waited for an answer."""
    sides = [line[0] for line in messages if line[:1] in ("F", "B")]
    return sum(side == "F" and (n == 0 or sides[n - 1] == "B") for n, side in enumerate(sides))


def _statements(messages: list[str]) -> list[str]:
    """The SQL the client sent, in order (simple and extended protocol alike)."""
    sent = []
    for line in messages:
        side, _, kind, *rest = line.split("\t")
        if side == "F" and kind in _STATEMENT_TEXT:
            text = _STATEMENT_TEXT[kind].fullmatch(rest[0].strip())
            assert text is not None, line
            sent += text.group(1).split("; ")
    return sent


# How libpq's trace shows a statement: Query "<sql>", Parse "<name>" "<sql>" <n> <types>
_STATEMENT_TEXT = {
    "Query": re.compile(r'"(.*)"', re.DOTALL),
    "Parse": re.compile(r'"[^"]*" "(.*)" \d+( .*)?', re.DOTALL),
}


def _pool(postgres: EmbeddedPostgres, db: str, role: str) -> _TracedPool:
    return _TracedPool(GuardedPool(postgres.dsn(db, role), max_size=1, lingering=LingeringTasks()))


def _sent_in_order(statements: list[str], expected: tuple[str, ...]) -> bool:
    position = 0
    for statement in statements:
        if position < len(expected) and statement.startswith(expected[position]):
            position += 1
    return position == len(expected)


@pytest.mark.parametrize(
    ("tool_id", "round_trips"),
    [("metrics", 2), ("topology", 2), ("audit", 2), ("direct_query", 3)],
)
def test_each_tool_sends_its_scoped_transaction_in_the_round_trips_it_promises(
    postgres: EmbeddedPostgres, tool_id: str, round_trips: int
) -> None:
    """BEGIN with the scope as one message, then the statements and COMMIT pipelined
    behind one Sync; direct_query's streamed rows cannot be pipelined: its COMMIT is a
    round trip of its own."""
    spool = Path(tempfile.mkdtemp(prefix="round-trips-"))
    if tool_id == "metrics":
        pool = _pool(postgres, "metrics", "gauntlet_reader")
        tool: Any = MetricsTool(pool)  # type: ignore[arg-type]
        arguments: dict[str, Any] = {"service": "checkout", "metric": "latency_p95_ms"}
    elif tool_id == "topology":
        pool = _pool(postgres, "ops", "gauntlet_reader")
        tool = TopologyTool(pool)  # type: ignore[arg-type]
        arguments = {"service": "checkout"}
    elif tool_id == "audit":
        pool = _pool(postgres, "ops", "gauntlet_auditor")
        tool = AuditTool(pool, spool_dir=spool)  # type: ignore[arg-type]
        arguments = {"action": "service_overview", "detail": {"service": "checkout"}}
    else:
        pool = _pool(postgres, "ops", "gauntlet_reader")
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
    statements = _statements(messages)
    scope = _WRITE_SCOPE if tool_id == "audit" else _READ_SCOPE
    assert statements[0] == "BEGIN" and statements[-1] == "COMMIT", statements
    assert _sent_in_order(statements, ("BEGIN", *scope, "COMMIT")), statements
    assert _round_trips(messages) == round_trips, messages


def test_a_refused_statement_leaves_no_transaction_on_the_pooled_connection(
    postgres: EmbeddedPostgres, caplog: pytest.LogCaptureFixture
) -> None:
    """A tenant with no role of its own is refused as its scope is set, a statement as it
    runs; each transaction is rolled back by the tool, not left to the pool (which would
    warn), and the one connection serves the next call."""
    topology_pool = _pool(postgres, "ops", "gauntlet_reader")
    topology = TopologyTool(topology_pool)  # type: ignore[arg-type]
    query_pool = _pool(postgres, "ops", "gauntlet_reader")
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
        refused, served = (_statements(messages) for messages in pool.calls)
        assert refused[-1] == "ROLLBACK" and served[-1] == "COMMIT", (refused, served)
    assert not [r for r in caplog.records if "rolling back returned connection" in r.message]
