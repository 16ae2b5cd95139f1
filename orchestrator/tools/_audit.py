"""`audit`: one record per orchestrated request, exactly once per tenant, even across outages.

The planner adds the audit call to every plan, with `action` and `detail` derived from the
request (see `orchestrator.audit_plan`); callers cannot add or shape one. Insert is
idempotent by (tenant, request id); a request reusing an id its tenant already used is
refused (`invalid_arguments`, never spooled), since the row kept is the earlier request's.
While the database is unreachable, `fallback()` spools the validated record durably and
reports it spooled; a spool write that fails (a full disk, the spool's bound reached) is
a failure, never an acknowledgement.

Replay runs in a background task the tool owns: started by the tool's first call, woken
by each record spooled, looking at the spool every second otherwise, and stopped in
`aclose()`. A request never waits for a backlog.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..capabilities import CapabilityType, ToolCapability
from ..contracts import ToolErrorCode
from ..errors import FinalRefusal, ToolError
from ..tool import CallContext
from ._audit_record import InvalidRecord, validated
from ._audit_replay import insert_one, replay_spool
from ._audit_spool import AuditSpool
from ._guarded_pool import GuardedPool
from ._tenant_tx import TOOL_TIMEOUT_SECONDS, budget_for, jsonable, run_on_database

TOOL_ID = "audit"
# How often the replayer looks at the spool when nobody wakes it (other workers spool too),
# and how long it waits before trying a database that was down.
_POLL_SECONDS = 1.0
_RETRY_SECONDS = 1.0
_log = logging.getLogger(__name__)


class AuditTool:
    def __init__(
        self,
        pool: GuardedPool,
        *,
        spool_dir: Path,
        spool_max_pending_bytes: int | None = None,
        capability: ToolCapability | None = None,
    ) -> None:
        self.capability = capability or ToolCapability.build(
            tool_id=TOOL_ID,
            capability_type=CapabilityType.APPEND_ONLY,
            timeout_seconds=TOOL_TIMEOUT_SECONDS,
            fallback_enabled=True,
        )
        self._pool = pool
        self.spool = AuditSpool(spool_dir, max_pending_bytes=spool_max_pending_bytes)
        self._replaying = asyncio.Lock()
        self._replayer: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        record = _record(arguments, ctx)
        budget = budget_for(ctx.budget_seconds, self.capability.timeout_seconds)
        inserted = await run_on_database(
            self._pool, budget, TOOL_ID, lambda conn: insert_one(conn, record, budget)
        )
        if not inserted:
            # The row is an earlier request's: acknowledging it would leave this one
            # unaudited. Refused, and never spooled (replay would drop it the same way).
            raise FinalRefusal(
                ToolErrorCode.INVALID_ARGUMENTS,
                f"{TOOL_ID}: request id {record['request_id']!r} was already used by this "
                "tenant; this request is not recorded (send a fresh request_id)",
            )
        # The database answers, so a backlog could drain; the replayer's own poll finds it
        # within a second. Waking it on every request would cost each one a thread hop to
        # look at the spool, which under load held the event loop back for milliseconds.
        self._ensure_replayer()
        return {"request_id": record["request_id"], "recorded": True}

    async def fallback(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        record = _record(arguments, ctx)
        try:
            await asyncio.to_thread(self.spool.append, record)
        except OSError as exc:
            raise ToolError(
                ToolErrorCode.INTERNAL_ERROR,
                f"{TOOL_ID}: could not spool the record: {exc.strerror or exc}",
            ) from exc
        self._nudge_replayer()
        return {"request_id": record["request_id"], "recorded": False, "spooled": True}

    async def flush_spool(self) -> int:
        """Replay spooled records now; returns how many were replayed.

        Raises `ToolError` if the database is still unreachable (nothing is lost).
        """
        async with self._replaying:
            return await replay_spool(self.spool, self._pool, TOOL_ID)

    async def aclose(self) -> None:
        replayer, self._replayer = self._replayer, None
        if replayer is not None and not replayer.done():
            replayer.cancel()
            await asyncio.wait([replayer])
        await self._pool.aclose()

    def _nudge_replayer(self) -> None:
        self._ensure_replayer().set()

    def _ensure_replayer(self) -> asyncio.Event:
        """Start the replayer unless it runs; returns the event that wakes it."""
        if self._replayer is None or self._replayer.done():
            # A new event per task: an event belongs to the loop that first waits on it.
            self._wake = asyncio.Event()
            self._replayer = asyncio.get_running_loop().create_task(
                self._replay_in_background(self._wake), name="audit-replay"
            )
        assert self._wake is not None
        return self._wake

    async def _replay_in_background(self, wake: asyncio.Event) -> None:
        while True:
            try:
                async with asyncio.timeout(_POLL_SECONDS):
                    await wake.wait()
            except TimeoutError:
                pass
            wake.clear()
            if not await asyncio.to_thread(self.spool.has_pending):
                continue
            try:
                await self.flush_spool()
            except ToolError as exc:
                _log.info("audit replay: database not ready (%s); retrying", exc)
                await asyncio.sleep(_RETRY_SECONDS)
            except Exception:  # noqa: BLE001 - the replayer must outlive a bad surprise
                _log.exception("audit replay failed; the records stay spooled")
                await asyncio.sleep(_RETRY_SECONDS)


def _record(arguments: Mapping[str, Any], ctx: CallContext) -> dict[str, Any]:
    try:
        return validated(
            {
                "request_id": ctx.request_id,
                "tenant_id": ctx.tenant_id,
                "action": arguments.get("action", "orchestrate"),
                "detail": jsonable(arguments.get("detail") or {}),
                "at": time.time(),
            }
        )
    except InvalidRecord as exc:
        raise ToolError(ToolErrorCode.INVALID_ARGUMENTS, f"{TOOL_ID}: {exc}") from None
