"""Spool poisoning re-opened: a record Postgres refuses is spooled as is, and a refused
batch stays in the spool, blocking every record after it."""

from __future__ import annotations

DEFECT = "spool poisoning: a record Postgres refuses blocks every record spooled after it"
SCENARIOS = ("audit-poison-record",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.contracts import ToolErrorCode
    from orchestrator.errors import ToolError
    from orchestrator.tools import _audit_record, _audit_replay

    replace(_audit_record, "postgres_safe", lambda value: value)

    async def all_or_nothing(spool, pool, tool_id, batch):  # type: ignore[no-untyped-def]
        async def insert(conn):  # type: ignore[no-untyped-def]
            try:
                await _audit_replay.insert_records(conn, batch, _audit_replay.BATCH_BUDGET_SECONDS)
            except _audit_replay._RECORD_REFUSED as exc:
                raise ToolError(ToolErrorCode.UPSTREAM_ERROR, f"replay refused: {exc}") from exc

        await _audit_replay.run_on_database(
            pool, _audit_replay.BATCH_BUDGET_SECONDS, tool_id, insert
        )
        return len(batch)

    replace(_audit_replay, "_replay_batch", all_or_nothing)
