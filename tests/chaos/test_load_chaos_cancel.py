"""A load run's chaos schedule, cancelled at any point, leaves nothing behind.

The schedule runs against a real Toxiproxy and a real Postgres: a toxic, a renamed column
and a disabled proxy overlap, and the run is cancelled at every 10 ms step of it, before,
during and after each injection and rollback.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

import psycopg
import pytest
from chaos_world import TestWorld

from chaos.postgres import EmbeddedPostgres
from chaos.schedule import TimedFault, fault_spans
from chaos.toxiproxy import ProxyHandle
from load.control.chaos_driver import ChaosLog, run_schedule

pytestmark = pytest.mark.integration
RUN_S = 0.4
SCHEDULE = [
    TimedFault.model_validate(timed)
    for timed in (
        {"fault": {"kind": "latency", "upstream": "ops", "latency_ms": 50}, "duration": "200ms"},
        {
            "fault": {
                "kind": "rename_column",
                "table": "alerts",
                "column": "severity",
                "new_name": "level",
            },
            "start": "100ms",
            "duration": "200ms",
        },
        {"fault": {"kind": "down", "upstream": "ops"}, "start": "150ms"},  # holds to the end
    )
]
CANCEL_AT_S = [step / 100 for step in range(46)]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(state_dir=tmp_path_factory.mktemp("pg-state"))
    try:
        server.start()
        with psycopg.connect(server.admin_dsn, autocommit=True) as admin:
            admin.execute("CREATE TABLE alerts (id int PRIMARY KEY, severity text NOT NULL)")
        yield server
    finally:
        server.close()


def _columns(dsn: str) -> list[str]:
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'alerts' ORDER BY ordinal_position"
        )
        return [row[0] for row in rows]


async def _cancelled_after(delay_s: float, world: TestWorld) -> ChaosLog:
    log = ChaosLog()
    task = asyncio.create_task(
        run_schedule(fault_spans(SCHEDULE, RUN_S), world, time.time(), log, RUN_S)
    )
    await asyncio.sleep(delay_s)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return log


def test_a_cancel_at_any_point_of_the_schedule_leaves_no_toxic_and_no_schema_change(
    database: EmbeddedPostgres, world: TestWorld, proxy: ProxyHandle
) -> None:
    world.postgres, world.admin_dsn = database, database.admin_dsn
    held_when_cancelled = 0
    for delay_s in CANCEL_AT_S:
        log = asyncio.run(_cancelled_after(delay_s, world))
        left = (
            world.toxiproxy.toxics(proxy.name),
            world.toxiproxy.proxy(proxy.name).enabled,
            _columns(database.admin_dsn),
        )
        assert left == ([], True, ["id", "severity"]), f"cancelled after {delay_s}s"
        assert [a.error for a in log.applied] == [None] * len(SCHEDULE)
        assert all(a.ended is not None for a in log.applied if a.started is not None)
        held_when_cancelled += any(a.started is not None for a in log.applied)
    # The grid really cut into held faults, not only before or after the schedule.
    assert 0 < held_when_cancelled < len(CANCEL_AT_S) + 1
