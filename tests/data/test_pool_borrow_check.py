"""The pool's borrow check costs no round trip, yet never lends a connection the server ended."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from chaos.postgres import EmbeddedPostgres
from orchestrator.deadline import LingeringTasks
from orchestrator.tools import GuardedPool

pytestmark = pytest.mark.integration


async def _backend_pid(conn: psycopg.AsyncConnection[Any]) -> int:
    row = await (await conn.execute("SELECT pg_backend_pid()")).fetchone()
    await conn.rollback()
    return row[0]


def test_a_connection_the_server_ended_is_not_lent_again(postgres: EmbeddedPostgres) -> None:
    async def scenario() -> tuple[int, int, int]:
        pool = GuardedPool(
            postgres.dsn("ops", "gauntlet_reader"), max_size=1, lingering=LingeringTasks()
        )
        try:
            first = await pool.run(3.0, _backend_pid)
            with psycopg.connect(postgres.dsn("ops", postgres.superuser)) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [first])
            await asyncio.sleep(0.2)  # the backend's FATAL and end-of-file reach the socket
            second = await pool.run(3.0, _backend_pid)
            third = await pool.run(3.0, _backend_pid)
            return first, second, third
        finally:
            await pool.aclose()

    first, second, third = asyncio.run(scenario())
    assert second != first  # the ended session was found out at the borrow, not by the caller
    assert third == second  # and a healthy idle one is lent again as it is
