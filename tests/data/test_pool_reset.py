"""A connection reset on its way back to the pool stays usable by the next borrower."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from orchestrator.deadline import LingeringTasks
from orchestrator.tools._guarded_pool import GuardedPool

pytestmark = pytest.mark.integration


def test_the_same_statement_runs_again_and_again_on_one_reset_connection(postgres) -> None:
    # psycopg prepares a statement on the server after a few executions; the pool's reset
    # (DISCARD ALL) drops it there. The next borrower must not be told it does not exist.
    async def scenario() -> list[int]:
        pool = GuardedPool(
            postgres.dsn("ops", "gauntlet_reader"), max_size=1, lingering=LingeringTasks()
        )

        async def work(conn: psycopg.AsyncConnection[Any]) -> int:
            cursor = await conn.execute("SELECT %s::int + 1", (41,))
            row = await cursor.fetchone()
            return row[0]

        try:
            return [await pool.run(5.0, work) for _ in range(12)]
        finally:
            await pool.aclose()

    assert asyncio.run(scenario()) == [42] * 12
