"""Replaying the audit spool into the database, batch by batch, around poison records.

A batch is one transaction with one `executemany` per tenant. If Postgres refuses a
record of the batch (a data error: the record, not the database, is at fault), the batch
is redone one record per savepoint, and the refused records go to the dead-letter file;
the rest of the queue moves on. A database that is down raises `ToolError` and leaves
the replay file in place for the next attempt.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

import psycopg

from ._audit_record import InvalidRecord, validated
from ._audit_spool import AuditSpool, read_frames
from ._guarded_pool import GuardedPool
from ._tenant_tx import begin_tenant_scope, run_on_database, tenant_transaction

INSERT = """
INSERT INTO ops.audit_log (request_id, tenant_id, action, detail, recorded_at)
VALUES (%(request_id)s, %(tenant_id)s, %(action)s, %(detail)s::jsonb, to_timestamp(%(at)s))
ON CONFLICT (tenant_id, request_id) DO NOTHING
"""
BATCH_SIZE = 500
BATCH_BUDGET_SECONDS = 10.0
# What a record (not the database) is to blame for.
_RECORD_REFUSED = (psycopg.DataError, psycopg.IntegrityError, UnicodeError)


async def insert_records(
    conn: psycopg.AsyncConnection[Any], records: Sequence[dict[str, Any]], budget_seconds: float
) -> None:
    # RLS checks each row against app.tenant_id, so the tenant is set per tenant's group.
    async with conn.transaction():
        for tenant_id, group in groupby(records, key=lambda r: r["tenant_id"]):
            await begin_tenant_scope(conn, tenant_id, budget_seconds, read_only=False)
            async with conn.cursor() as cursor:
                await cursor.executemany(INSERT, [_parameters(r) for r in group])


async def insert_one(
    conn: psycopg.AsyncConnection[Any], record: dict[str, Any], budget_seconds: float
) -> bool:
    """Insert one record; False when its (tenant, request id) already has a row.

    Returns only once the COMMIT has answered: the record is durable when acknowledged.
    """
    async with tenant_transaction(conn, record["tenant_id"], budget_seconds, read_only=False):
        cursor = await conn.execute(INSERT, _parameters(record))
    return cursor.rowcount == 1


async def replay_spool(spool: AuditSpool, pool: GuardedPool, tool_id: str) -> int:
    """Replay every replay file this process can claim; returns how many records it took."""
    await asyncio.to_thread(spool.rotate)
    replayed = 0
    for replay_file in spool.replay_files():
        with spool.claimed(replay_file) as mine:
            if not mine:
                continue
            # Reading, checking and dead-lettering is file and CPU work: off the event loop.
            records = await asyncio.to_thread(_load, spool, replay_file)
            for start in range(0, len(records), BATCH_SIZE):
                batch = records[start : start + BATCH_SIZE]
                replayed += await _replay_batch(spool, pool, tool_id, batch)
            await asyncio.to_thread(spool.discard, replay_file)
    return replayed


async def _replay_batch(
    spool: AuditSpool, pool: GuardedPool, tool_id: str, batch: list[dict[str, Any]]
) -> int:
    async def all_or_nothing(conn: psycopg.AsyncConnection[Any]) -> bool:
        try:
            await insert_records(conn, batch, BATCH_BUDGET_SECONDS)
        except _RECORD_REFUSED:
            return False
        return True

    if await run_on_database(pool, BATCH_BUDGET_SECONDS, tool_id, all_or_nothing):
        return len(batch)

    async def one_by_one(conn: psycopg.AsyncConnection[Any]) -> list[tuple[dict, str]]:
        refused = []
        async with conn.transaction():
            for record in batch:
                await begin_tenant_scope(
                    conn, record["tenant_id"], BATCH_BUDGET_SECONDS, read_only=False
                )
                try:
                    async with conn.transaction():  # a savepoint: only this record undone
                        await conn.execute(INSERT, _parameters(record))
                except _RECORD_REFUSED as exc:
                    refused.append((record, f"refused by Postgres: {exc}"))
        return refused

    refused = await run_on_database(pool, BATCH_BUDGET_SECONDS, tool_id, one_by_one)
    for record, reason in refused:
        spool.dead_letter(reason, record=record)
    return len(batch) - len(refused)


def _load(spool: AuditSpool, replay_file: Path) -> list[dict[str, Any]]:
    """The valid records of a replay file; torn lines and non-records are dead-lettered."""
    values, torn = read_frames(replay_file)
    for line in torn:
        spool.dead_letter("torn or corrupted line", raw=line)
    records = []
    for value in values:
        try:
            records.append(validated(value))
        except InvalidRecord as exc:
            spool.dead_letter(f"not a record: {exc}", record=value)
    return records


def _parameters(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "detail": json.dumps(record.get("detail", {}))}
