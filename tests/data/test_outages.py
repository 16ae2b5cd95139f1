"""The tools through a database outage and a schema change, on a real Postgres."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest
from data_world import call_context

from chaos.postgres import EmbeddedPostgres
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import aclose_tools, build_tools

pytestmark = pytest.mark.integration


def _tools(postgres: EmbeddedPostgres, spool_dir: Path) -> dict[str, object]:
    tools = build_tools(
        postgres.dsn("ops", "gauntlet_reader"),
        postgres.dsn("metrics", "gauntlet_reader"),
        postgres.dsn("ops", "gauntlet_auditor"),
        spool_dir=spool_dir,
        connect_timeout=1.0,
        lingering=LingeringTasks(),
    )
    return {tool.capability.tool_id: tool for tool in tools}


async def _code(call) -> ToolErrorCode:
    with pytest.raises(ToolError) as failed:
        await call
    return failed.value.code


def _audit_rows(postgres: EmbeddedPostgres, prefix: str) -> dict[str, int]:
    with psycopg.connect(postgres.dsn("ops", postgres.superuser)) as conn:
        rows = conn.execute(
            "SELECT request_id, count(*) FROM ops.audit_log "
            "WHERE request_id LIKE %s GROUP BY request_id",
            [prefix + "%"],
        )
        return dict(rows.fetchall())


def test_down_then_back_without_restarting_anything(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    tools = _tools(postgres, tmp_path)
    query, metrics, topology, audit = (
        tools[name] for name in ("direct_query", "metrics", "topology", "audit")
    )
    overview = {"sql": "SELECT service, tier FROM ops.services ORDER BY service"}
    latency = {"service": "checkout", "metric": "latency_p95_ms", "window_minutes": 15}
    graph = {"service": "checkout", "depth": 2}

    async def scenario() -> dict[str, object]:
        seen: dict[str, object] = {}
        try:
            ctx = call_context("acme", request_id="outage-0", budget_seconds=2.0)
            seen["before"] = await topology.run(graph, ctx)
            seen["metrics_before"] = await metrics.run(latency, ctx)
            await audit.run({"action": "before"}, ctx)
            postgres.stop("fast")
            down = call_context("acme", request_id="outage-1", budget_seconds=0.5)
            seen["query_down"] = await _code(query.run(overview, down))
            seen["metrics_down"] = await _code(metrics.run(latency, down))
            seen["topology_down"] = await _code(topology.run(graph, down))
            seen["snapshot"] = await topology.fallback(graph, down)
            seen["audit_down"] = await _code(audit.run({"action": "during"}, down))
            seen["spooled"] = await audit.fallback({"action": "during"}, down)
            second = call_context("acme", request_id="outage-2", budget_seconds=2.0)
            await audit.fallback({"action": "during"}, second)
            await audit.fallback({"action": "during"}, second)  # a retry: spooled twice
            seen["pending"] = len(audit.spool.pending_records())
            postgres.start()
            back = call_context("acme", request_id="outage-3", budget_seconds=3.0)
            seen["query_back"] = await query.run(overview, back)
            seen["topology_back"] = await topology.run(graph, back)
            seen["audit_back"] = await audit.run({"action": "after"}, back)
            await audit.flush_spool()  # what the background replayer does, here and now
            seen["pending_after"] = audit.spool.has_pending()
        finally:
            if not postgres.is_running():
                postgres.start()
            await aclose_tools(tools.values())
        return seen

    seen = asyncio.run(scenario())
    assert seen["metrics_before"]["series"][0]["samples"] == 15
    assert {seen[k] for k in ("query_down", "metrics_down", "topology_down", "audit_down")} == {
        ToolErrorCode.CONNECTION_ERROR
    }
    assert seen["snapshot"]["edges"] == seen["before"]["edges"] and seen["snapshot"]["stale"]
    assert seen["spooled"]["spooled"] is True and seen["pending"] == 3
    assert seen["query_back"]["row_count"] == 8
    assert seen["topology_back"]["edges"] == seen["before"]["edges"]
    assert seen["audit_back"]["recorded"] is True and seen["pending_after"] is False
    assert _audit_rows(postgres, "outage-") == {
        "outage-0": 1,
        "outage-1": 1,
        "outage-2": 1,
        "outage-3": 1,
    }


def test_a_renamed_column_breaks_only_the_tool_that_uses_it(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    tools = _tools(postgres, tmp_path)
    ctx = call_context("globex", budget_seconds=2.0)

    def rename(old: str, new: str) -> None:
        with psycopg.connect(postgres.dsn("ops", postgres.superuser), autocommit=True) as conn:
            conn.execute(f"ALTER TABLE ops.incidents RENAME COLUMN {old} TO {new}")

    async def scenario() -> tuple[ToolErrorCode, dict, dict]:
        rename("severity", "severity_level")
        try:
            broken = await _code(
                tools["direct_query"].run({"sql": "SELECT severity FROM ops.incidents"}, ctx)
            )
            graph = await tools["topology"].run({"service": "checkout", "depth": 1}, ctx)
            series = await tools["metrics"].run({"service": "search", "metric": "rps"}, ctx)
            return broken, graph, series
        finally:
            rename("severity_level", "severity")
            await aclose_tools(tools.values())

    broken, graph, series = asyncio.run(scenario())
    assert broken is ToolErrorCode.SCHEMA_MISMATCH
    assert graph["direct_dependencies"] and series["series"][0]["service"] == "search"


def test_audit_is_exactly_once_per_request_id(postgres: EmbeddedPostgres, tmp_path: Path) -> None:
    tools = _tools(postgres, tmp_path)
    audit = tools["audit"]

    async def scenario() -> None:
        try:
            ctx = call_context("initech", request_id="once-1")
            await audit.run({"action": "first"}, ctx)
            # The id again: refused (the row is the first's), never a second row.
            with pytest.raises(ToolError) as reused:
                await audit.run({"action": "again"}, ctx)
            assert reused.value.code is ToolErrorCode.INVALID_ARGUMENTS
            # A replay interrupted by a crash leaves its file behind: replaying it again
            # (with a record the database already has) must not double anything.
            await audit.fallback(
                {"action": "spooled"}, call_context("initech", request_id="once-2")
            )
            audit.spool.rotate()
            await audit.fallback({"action": "first"}, ctx)
            await audit.flush_spool()
            assert not audit.spool.has_pending()
        finally:
            await aclose_tools(tools.values())

    asyncio.run(scenario())
    assert _audit_rows(postgres, "once-") == {"once-1": 1, "once-2": 1}
