"""The SQL guard off the event loop, in worker processes every tenant shares.

Parsing 16 KB of `SELECT 1+1+...` costs sqlglot seconds of CPU: on the event loop it
would stall every request. Here it runs in one of WORKERS processes, niced, and one
tenant holds at most TENANT_SHARE of them at once: its turn is held until its check has
really ended (a check cannot be stopped once it runs), so a tenant whose checks outlast
their deadline waits on itself, and another tenant's statement never queues behind them.
A statement the guard cannot take apart at all (nested too deep for its parser) is refused.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from _sql_guard import Refusal, check_sql

WORKERS = 2
TENANT_SHARE = 0.5
NICENESS = 10


def _checked(sql: str, tenant: str) -> Refusal | None:
    try:
        return check_sql(sql, tenant)
    except RecursionError:
        return Refusal("unsafe_query", "nested too deeply to check")


class SqlChecks:
    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(
            WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=os.nice,
            initargs=(NICENESS,),
        )
        self._per_tenant = max(1, math.ceil(WORKERS * TENANT_SHARE))
        self._turns: dict[str, asyncio.Semaphore] = {}

    async def warm(self) -> None:
        """Start every worker now (a cold one imports sqlglot: seconds), not on a request."""
        loop = asyncio.get_running_loop()
        checks = [
            loop.run_in_executor(self._pool, _checked, "SELECT 1", "") for _ in range(WORKERS)
        ]
        await asyncio.gather(*checks)

    async def check(self, sql: str, tenant: str) -> Refusal | None:
        loop = asyncio.get_running_loop()
        turn = self._turns.setdefault(tenant, asyncio.Semaphore(self._per_tenant))
        await turn.acquire()
        try:
            future = self._pool.submit(_checked, sql, tenant)
        except BaseException:
            turn.release()
            raise
        # released when the check has ended, not when its caller stopped waiting
        future.add_done_callback(lambda _: loop.call_soon_threadsafe(turn.release))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
