"""A hostile tenant's SQL, run with the validator switched off: the database must hold.

Each attack comes from a security review of the reference orchestrator. It is sent
through `direct_query` exactly as the service would run it for tenant `acme`, minus the
SQL validator, so only the database's own defences stand between it and the others.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from data_world import call_context

from chaos.postgres import EmbeddedPostgres, start_ops_postgres
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import DirectQueryTool, GuardedPool

pytestmark = pytest.mark.integration

ATTACKER, VICTIM = "acme", "globex"
VICTIM_SECRET = "victimsecret4711"
# The victim's query, long enough to be caught running, with a literal of its own.
VICTIM_SQL = f"SELECT '{VICTIM_SECRET}' AS secret, pg_sleep(1.5) FROM ops.tenants"
TS_STAT_ATTACK = (
    "SELECT (('SELECT to_tsvector(''simple'', query) FROM pg_stat_activity "
    "WHERE pid <> pg_backend_pid()').ts_stat).word"
)
CANCEL_ATTACK = (
    "SELECT (pid).pg_cancel_backend FROM pg_stat_activity "
    f"WHERE query LIKE '%{VICTIM_SECRET}%' AND pid <> pg_backend_pid()"
)
LOCK_TABLE_ATTACK = "SELECT count((g::bigint).pg_try_advisory_lock) FROM generate_series(1,50000) g"
HUGE_RESULT = "SELECT repeat('x', 1000000) AS blob FROM generate_series(1, 1000)"


def _tool(postgres: EmbeddedPostgres) -> DirectQueryTool:
    pool = GuardedPool(
        postgres.dsn("ops", "gauntlet_reader"), max_size=4, lingering=LingeringTasks()
    )
    return DirectQueryTool(pool, validate_queries=False)


async def _run(tool: DirectQueryTool, sql: str, tenant: str) -> Any:
    """The tool's answer, or the ToolError it refused with."""
    try:
        return await tool.run({"sql": sql}, call_context(tenant, budget_seconds=4.0))
    except ToolError as error:
        return error


async def _while_victim_runs(tool: DirectQueryTool, attack: str) -> tuple[Any, Any]:
    async with asyncio.TaskGroup() as group:
        victim = group.create_task(_run(tool, VICTIM_SQL, VICTIM))
        await asyncio.sleep(0.4)  # the victim's statement is running by now
        attacker = group.create_task(_run(tool, attack, ATTACKER))
    return victim.result(), attacker.result()


def test_ts_stat_does_not_read_another_tenants_running_sql(postgres: EmbeddedPostgres) -> None:
    async def scenario() -> tuple[Any, Any]:
        tool = _tool(postgres)
        try:
            return await _while_victim_runs(tool, TS_STAT_ATTACK)
        finally:
            await tool.aclose()

    victim, attacker = asyncio.run(scenario())
    assert not isinstance(victim, ToolError), victim
    assert VICTIM_SECRET not in repr(attacker)
    assert isinstance(attacker, ToolError) and attacker.code is ToolErrorCode.TENANT_VIOLATION


def test_a_tenant_cannot_cancel_another_tenants_query(postgres: EmbeddedPostgres) -> None:
    async def scenario() -> tuple[Any, Any]:
        tool = _tool(postgres)
        try:
            return await _while_victim_runs(tool, CANCEL_ATTACK)
        finally:
            await tool.aclose()

    victim, attacker = asyncio.run(scenario())
    assert not isinstance(victim, ToolError), f"the victim's query was cut: {victim}"
    assert victim["rows"][0]["secret"] == VICTIM_SECRET
    assert isinstance(attacker, ToolError) and attacker.code is ToolErrorCode.TENANT_VIOLATION


def test_stat_functions_do_not_count_other_tenants_rows(postgres: EmbeddedPostgres) -> None:
    async def scenario() -> Any:
        tool = _tool(postgres)
        try:
            return await _run(
                tool, "SELECT ('ops.incidents'::regclass).pg_stat_get_live_tuples AS n", ATTACKER
            )
        finally:
            await tool.aclose()

    answer = asyncio.run(scenario())
    assert isinstance(answer, ToolError) and answer.code is ToolErrorCode.TENANT_VIOLATION


@pytest.fixture(scope="module")
def lock_table_server() -> Iterator[EmbeddedPostgres]:
    """A server of its own: if this attack ever lands, it poisons the server for minutes."""
    server = start_ops_postgres("embedded")
    try:
        yield server  # type: ignore[misc]
    finally:
        server.close()


def test_the_lock_table_cannot_be_filled(lock_table_server: EmbeddedPostgres) -> None:
    async def scenario() -> Any:
        tool = _tool(lock_table_server)
        try:
            return await _run(tool, LOCK_TABLE_ATTACK, ATTACKER)
        finally:
            await tool.aclose()

    answer = asyncio.run(scenario())
    assert isinstance(answer, ToolError) and answer.code is ToolErrorCode.TENANT_VIOLATION
    admin = lock_table_server.dsn("ops", lock_table_server.superuser)
    with psycopg.connect(admin) as conn:  # a new connection still gets in
        held = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert held.fetchone() == (0,)


def test_a_huge_result_is_refused_while_it_streams_in(postgres: EmbeddedPostgres) -> None:
    """1,000 rows of 1 MB against the 10 MB cap: refused with the size code, and the
    process never holds the gigabyte (peak resident memory grows by far less)."""

    async def scenario() -> Any:
        tool = _tool(postgres)
        try:
            return await _run(tool, HUGE_RESULT, ATTACKER)
        finally:
            await tool.aclose()

    peak_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    answer = asyncio.run(scenario())
    growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before_kib) / 1024
    assert isinstance(answer, ToolError) and answer.code is ToolErrorCode.RESULT_TOO_LARGE
    assert growth_mib < 200, f"peak memory grew by {growth_mib:.0f} MiB for a 10 MB cap"
