"""`audit`: one record per orchestrated request, exactly once, even across outages.

Insert is idempotent by request id. While the database is unreachable, `fallback()`
spools the record durably and reports it spooled; the spool is replayed on the next
successful call and by `flush_spool()`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg

from ..capabilities import CapabilityType, ToolCapability
from ..errors import ToolError
from ..tool import CallContext
from ._audit_spool import AuditSpool, read_records
from ._guarded_pool import GuardedPool
from ._tenant_tx import (
    TOOL_TIMEOUT_SECONDS,
    begin_tenant_scope,
    budget_for,
    jsonable,
    require_text,
    run_on_database,
)

TOOL_ID = "audit"
_INSERT = """
INSERT INTO ops.audit_log (request_id, tenant_id, action, detail, recorded_at)
VALUES (%(request_id)s, %(tenant_id)s, %(action)s, %(detail)s::jsonb, to_timestamp(%(at)s))
ON CONFLICT (request_id) DO NOTHING
"""
_REPLAY_BUDGET_SECONDS = 10.0


class AuditTool:
    def __init__(
        self, pool: GuardedPool, *, spool_dir: Path, capability: ToolCapability | None = None
    ) -> None:
        self.capability = capability or ToolCapability.build(
            tool_id=TOOL_ID,
            capability_type=CapabilityType.APPEND_ONLY,
            timeout_seconds=TOOL_TIMEOUT_SECONDS,
            fallback_enabled=True,
        )
        self._pool = pool
        self.spool = AuditSpool(spool_dir)
        self._replaying = asyncio.Lock()

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        record = _record(arguments, ctx)
        budget = budget_for(ctx.budget_seconds, self.capability.timeout_seconds)
        started = time.monotonic()
        await run_on_database(
            self._pool, budget, TOOL_ID, lambda conn: _insert(conn, [record], budget)
        )
        replayed = 0
        if self.spool.has_pending() and not self._replaying.locked():
            remaining = budget - (time.monotonic() - started)
            try:
                replayed = await self.flush_spool(budget_seconds=remaining)
            except ToolError:
                pass  # the records stay spooled; this call's own record is in
        return {"request_id": record["request_id"], "recorded": True, "replayed": replayed}

    async def fallback(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        record = _record(arguments, ctx)
        await asyncio.to_thread(self.spool.append, record)
        return {"request_id": record["request_id"], "recorded": False, "spooled": True}

    async def flush_spool(self, *, budget_seconds: float = _REPLAY_BUDGET_SECONDS) -> int:
        """Replay spooled records into the database; returns how many were replayed.

        Raises `ToolError` if the database is still unreachable (nothing is lost).
        """
        async with self._replaying:
            self.spool.rotate()
            replayed = 0
            for replay_file in self.spool.replay_files():
                records = read_records(replay_file)
                if records:
                    await run_on_database(
                        self._pool,
                        budget_seconds,
                        TOOL_ID,
                        lambda conn: _insert(conn, records, budget_seconds),
                    )
                self.spool.discard(replay_file)
                replayed += len(records)
            return replayed

    async def aclose(self) -> None:
        await self._pool.aclose()


def _record(arguments: Mapping[str, Any], ctx: CallContext) -> dict[str, Any]:
    action = require_text(arguments, "action", TOOL_ID) if "action" in arguments else "orchestrate"
    return {
        "request_id": ctx.request_id,
        "tenant_id": ctx.tenant_id,
        "action": action,
        "detail": jsonable(dict(arguments.get("detail") or {})),
        "at": time.time(),
    }


async def _insert(
    conn: psycopg.AsyncConnection[Any], records: list[dict[str, Any]], budget_seconds: float
) -> None:
    # RLS checks each row against app.tenant_id, so the tenant is set per record.
    async with conn.transaction():
        for record in records:
            await begin_tenant_scope(conn, record["tenant_id"], budget_seconds, read_only=False)
            await conn.execute(_INSERT, {**record, "detail": json.dumps(record["detail"])})
