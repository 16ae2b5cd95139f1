"""Tenants stay apart: by the validator, and by row-level security on its own."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from data_world import call_context
from psycopg import errors as pg_errors

from chaos.postgres import EmbeddedPostgres
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import SecurityRefusal, ToolError
from orchestrator.tools import DirectQueryTool, GuardedPool

pytestmark = pytest.mark.integration


def _direct_query(postgres: EmbeddedPostgres, *, validate: bool) -> DirectQueryTool:
    pool = GuardedPool(
        postgres.dsn("ops", "gauntlet_reader"), max_size=2, lingering=LingeringTasks()
    )
    return DirectQueryTool(pool, validate_queries=validate)


def test_rls_alone_keeps_tenants_apart_with_the_validator_off(postgres: EmbeddedPostgres) -> None:
    tool = _direct_query(postgres, validate=False)
    attempts = [
        "SELECT DISTINCT tenant_id FROM ops.services",
        "SELECT DISTINCT tenant_id FROM ops.incidents WHERE tenant_id <> 'acme'",
        "SELECT DISTINCT tenant_id FROM ops.hosts WHERE tenant_id IN ('globex', 'initech')",
        "SET LOCAL app.tenant_id = 'globex'; SELECT DISTINCT tenant_id FROM ops.services",
    ]
    hijack = (
        "SELECT set_config('app.tenant_id', 'globex', true) AS t, "
        "(SELECT count(*) FROM ops.services WHERE tenant_id = 'globex') AS n"
    )

    async def scenario() -> tuple[list[object], SecurityRefusal]:
        try:
            answers: list[object] = []
            for sql in attempts:
                try:
                    answers.append(await tool.run({"sql": sql}, call_context("acme")))
                except ToolError as error:
                    answers.append(error.code)
            with pytest.raises(SecurityRefusal) as refused:
                await tool.run({"sql": hijack}, call_context("acme"))
            return answers, refused.value
        finally:
            await tool.aclose()

    (own, others, named, stacked), hijacked = asyncio.run(scenario())
    assert [row["tenant_id"] for row in own["rows"]] == ["acme"]
    assert others["rows"] == [] and named["rows"] == []
    # A stacked statement is one the server refuses to run at all (extended protocol).
    assert stacked is ToolErrorCode.INVALID_ARGUMENTS  # the caller's SQL, not the upstream
    # Re-pointing the tenant from inside a query: set_config is not executable by the role.
    assert hijacked.code is ToolErrorCode.TENANT_VIOLATION


def test_the_reader_role_sees_nothing_without_a_tenant_and_cannot_write(
    postgres: EmbeddedPostgres,
) -> None:
    with psycopg.connect(postgres.dsn("ops", "gauntlet_reader"), autocommit=True) as conn:
        with pytest.raises(pg_errors.InsufficientPrivilege):  # its tenant roles' grants only
            conn.execute("SELECT count(*) FROM ops.services")
        with pytest.raises(pg_errors.InsufficientPrivilege):
            conn.execute("INSERT INTO ops.tenants VALUES ('evil', 'Evil', 'free')")
        with pytest.raises(pg_errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM pg_catalog.pg_authid")
        bypass = conn.execute(
            "SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert bypass == (False, False)
    with psycopg.connect(postgres.dsn("ops", "gauntlet_auditor"), autocommit=True) as conn:
        conn.execute("SET app.tenant_id = 'acme'")
        with pytest.raises(pg_errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM ops.audit_log")
        with pytest.raises(pg_errors.InsufficientPrivilege):  # RLS WITH CHECK
            conn.execute(
                "INSERT INTO ops.audit_log (request_id, tenant_id, action) "
                "VALUES ('x-1', 'globex', 'forged')"
            )


def test_a_query_naming_another_tenant_is_refused(postgres: EmbeddedPostgres) -> None:
    tool = _direct_query(postgres, validate=True)

    async def attempt(sql: str) -> SecurityRefusal:
        with pytest.raises(SecurityRefusal) as refused:
            await tool.run({"sql": sql}, call_context("acme"))
        return refused.value

    async def scenario() -> tuple[SecurityRefusal, SecurityRefusal]:
        try:
            return (
                await attempt("SELECT * FROM ops.incidents WHERE tenant_id = 'globex'"),
                await attempt("DELETE FROM ops.incidents"),
            )
        finally:
            await tool.aclose()

    cross_tenant, write = asyncio.run(scenario())
    assert cross_tenant.code is ToolErrorCode.TENANT_VIOLATION and cross_tenant.is_security
    assert write.code is ToolErrorCode.UNSAFE_QUERY
