"""The validator is off and the database session is not scoped to the caller's tenant:
no tenant role, no `app.tenant_id`, only the timeouts."""

from __future__ import annotations

DEFECT = "tenant not set on the database session, validator off"
SCENARIOS = ("cross-tenant-query", "sql-injection")


def apply() -> None:
    from contextlib import asynccontextmanager

    from catalogue import replace
    from psycopg import sql

    from orchestrator.tools import _audit_replay, _direct_query, _tenant_tx

    async def timeouts_only(conn, _tenant_id, budget_seconds, *, read_only):  # type: ignore[no-untyped-def]
        timeout_ms = max(1, int(budget_seconds * 1000))
        await conn.execute(
            sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(f"{timeout_ms}ms"))
        )

    @asynccontextmanager
    async def transaction_with_timeouts_only(conn, tenant_id, budget_seconds, *, read_only=True):  # type: ignore[no-untyped-def]
        async with conn.transaction():
            await timeouts_only(conn, tenant_id, budget_seconds, read_only=read_only)
            yield

    for module in _tenant_tx, _audit_replay:
        replace(module, "begin_tenant_scope", timeouts_only)
    # the transactions direct_query and the audit's insert open themselves: the same
    # timeouts-only scope, in a transaction of psycopg's
    replace(_direct_query, "streamed_tenant_transaction", transaction_with_timeouts_only)
    replace(_audit_replay, "tenant_transaction", transaction_with_timeouts_only)

    def unvalidated(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        build(self, *args, **{**kwargs, "validate_queries": False})

    build = replace(_direct_query.DirectQueryTool, "__init__", unvalidated)
