"""The validator is off and the database session is not scoped to the caller's tenant:
no tenant role, no `app.tenant_id`, only the timeouts."""

from __future__ import annotations

DEFECT = "tenant not set on the database session, validator off"
SCENARIOS = ("cross-tenant-query", "sql-injection")


def apply() -> None:
    from psycopg import sql

    from orchestrator.tools import _direct_query, _tenant_tx

    async def timeouts_only(conn, _tenant_id, budget_seconds, *, read_only):  # type: ignore[no-untyped-def]
        timeout_ms = max(1, int(budget_seconds * 1000))
        await conn.execute(
            sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(f"{timeout_ms}ms"))
        )

    for module in _tenant_tx, _direct_query, *_users_of_tenant_scope():
        module.begin_tenant_scope = timeouts_only
    build = _direct_query.DirectQueryTool.__init__

    def unvalidated(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        build(self, *args, **{**kwargs, "validate_queries": False})

    _direct_query.DirectQueryTool.__init__ = unvalidated  # type: ignore[method-assign]


def _users_of_tenant_scope():  # type: ignore[no-untyped-def]
    from orchestrator.tools import _audit_replay, _metrics, _topology

    return _audit_replay, _metrics, _topology
