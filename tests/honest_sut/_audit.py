"""The audit tool: one row per (tenant, request id), written now or spooled and replayed.

The record is made clean first (NUL and lone surrogates become U+FFFD), so that neither
Postgres nor the spool can refuse it later. It keeps the request whole, all of its text and
every call: the body limit already bounds its size; only nesting deeper than any honest
request is folded, so a hostile body cannot exhaust the recursion. The insert ignores a row that
is already there, so a record that is both written and replayed lands once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import _spool
import asyncpg
from _db import CallFailed, code_for, tenant_transaction

log = logging.getLogger("honest.audit")
INSERT = (
    "INSERT INTO ops.audit_log (request_id, tenant_id, action, detail, recorded_at) "
    "VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (tenant_id, request_id) DO NOTHING"
)
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_DEPTH = 64
BATCH = 500


def _clean(value: object, depth: int = 0) -> object:
    if isinstance(value, str):
        return UNSTORABLE.sub("\ufffd", value)
    if depth >= MAX_DEPTH and isinstance(value, dict | list):
        return "…"
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    return value


def make_record(request_id: str, tenant: str, action: str, detail: dict) -> dict:
    return {
        "request_id": request_id,
        "tenant_id": tenant,
        "action": action,
        "detail": _clean(detail),
        "recorded_at": datetime.now(UTC).isoformat(),
    }


def _row(record: dict) -> tuple:
    detail = json.dumps(record["detail"], ensure_ascii=True)
    stamp = datetime.fromisoformat(record["recorded_at"])
    return (record["request_id"], record["tenant_id"], record["action"], detail, stamp)


class AuditWriter:
    """Writes records to `ops.audit_log`, spools them when that fails, and replays."""

    def __init__(self, pool: asyncpg.Pool, spool_dir: Path) -> None:
        self.pool, self.spool_dir = pool, spool_dir
        self.spooled = asyncio.Event()

    async def write(self, record: dict, budget: float) -> dict:
        async with tenant_transaction(
            self.pool, record["tenant_id"], budget, switch_role=False
        ) as c:
            await c.execute(INSERT, *_row(record))
        return {"request_id": record["request_id"], "recorded": True, "spooled": False}

    async def spool(self, record: dict) -> dict:
        await asyncio.to_thread(_spool.append, self.spool_dir, _spool.SPOOL, record)
        self.spooled.set()
        return {"request_id": record["request_id"], "recorded": False, "spooled": True}

    async def replay_forever(self) -> None:
        while True:
            try:
                async with asyncio.timeout(1.0):
                    await self.spooled.wait()
            except TimeoutError:
                pass
            self.spooled.clear()
            try:
                await self.replay_once()
            except CallFailed as exc:
                log.info("replay waits: %s", exc)

    async def replay_once(self) -> None:
        await asyncio.to_thread(_spool.move_spool_aside, self.spool_dir)
        for path in sorted(self.spool_dir.glob(_spool.REPLAY_GLOB)):
            fd = _spool.claim(path)
            if fd is None:
                continue
            try:
                await self._replay_file(path, fd)
            finally:
                os.close(fd)

    async def _replay_file(self, path: Path, fd: int) -> None:
        records = []
        for line in await asyncio.to_thread(_spool.read_lines, fd):
            record = _spool.unframe(line)
            if record is None or not {"request_id", "tenant_id"} <= record.keys():
                text = line.decode("ascii", "replace")
                self._dead_letter({"line": text, "reason": "torn line or not a record"})
            else:
                records.append(record)
        for start in range(0, len(records), BATCH):
            await self._insert_batch(records[start : start + BATCH])
        path.unlink(missing_ok=True)
        log.info("replayed %d records from %s", len(records), path.name)

    async def _insert_batch(self, records: list[dict]) -> None:
        try:
            async with asyncio.timeout(10), self.pool.acquire() as conn, conn.transaction():
                for record in records:
                    await self._insert_one(conn, record)
            return
        except Exception as exc:
            if code_for(exc) in ("connection_error", "timeout", "upstream_error"):
                raise CallFailed(code_for(exc), f"spool replay: {exc}") from exc
        await self._insert_each(records)

    async def _insert_each(self, records: list[dict]) -> None:
        async with asyncio.timeout(10), self.pool.acquire() as conn, conn.transaction():
            for record in records:
                try:
                    async with conn.transaction():  # a savepoint per record
                        await self._insert_one(conn, record)
                except (asyncpg.PostgresError, ValueError, KeyError, TypeError) as exc:
                    if code_for(exc) == "connection_error":
                        raise CallFailed("connection_error", str(exc)) from exc
                    self._dead_letter({"record": record, "reason": str(exc)[:500]})

    @staticmethod
    async def _insert_one(conn: asyncpg.Connection, record: dict) -> None:
        tenant = str(record["tenant_id"]).replace("'", "''")
        await conn.execute(f"SET LOCAL app.tenant_id = '{tenant}'")
        await conn.execute(INSERT, *_row(record))

    def _dead_letter(self, entry: dict) -> None:
        log.warning("dead-lettered: %s", entry.get("reason"))
        _spool.append(self.spool_dir, _spool.DEAD_LETTER, entry)
