"""The 1 s deadline holds on a silently stalled connection (a real Toxiproxy `timeout` toxic)."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest
from data_world import call_context, proxy_to

from chaos.postgres import EmbeddedPostgres
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import DirectQueryTool, GuardedPool
from orchestrator.tools._tenant_tx import run_on_database

pytestmark = pytest.mark.integration
QUERY = {"sql": "SELECT service FROM ops.services ORDER BY service"}


def test_a_stalled_connection_answers_at_the_deadline_and_is_discarded(
    postgres: EmbeddedPostgres, toxiproxy_url: str
) -> None:
    port = proxy_to(toxiproxy_url, "ops_stall", postgres.port)
    dsn = postgres.dsn("ops", "gauntlet_reader").replace(f":{postgres.port}/", f":{port}/")
    pool = GuardedPool(dsn, max_size=4, connect_timeout=1.0, lingering=LingeringTasks())
    tool = DirectQueryTool(pool)
    toxics = f"{toxiproxy_url}/proxies/ops_stall/toxics"

    async def scenario() -> dict[str, object]:
        seen: dict[str, object] = {}
        try:
            seen["before"] = await tool.run(QUERY, call_context("acme"))
            httpx.post(
                toxics,
                json={
                    "name": "stall",
                    "type": "timeout",
                    "stream": "downstream",
                    "attributes": {"timeout": 0},
                },
            ).raise_for_status()
            started = time.monotonic()
            with pytest.raises(ToolError) as stalled:
                await tool.run(QUERY, call_context("acme", budget_seconds=1.0))
            seen["stalled_after"] = time.monotonic() - started
            seen["code"] = stalled.value.code
            seen["stats"] = pool.statistics()
            httpx.delete(f"{toxics}/stall").raise_for_status()
            seen["after"], seen["lost_after"] = await _first_answer(tool)
        finally:
            httpx.delete(f"{toxiproxy_url}/proxies/ops_stall")
            await tool.aclose()
        return seen

    seen = asyncio.run(scenario())
    print(f"stalled call answered after {seen['stalled_after']:.3f}s (deadline 1.0s)")
    print(f"calls lost as the stall ended: {seen['lost_after']}")
    assert seen["before"]["row_count"] == 8
    assert seen["code"] is ToolErrorCode.TIMEOUT
    # psycopg's own cancel would take 6-11 s here (a protocol-level cancel, then a second
    # wait, each up to 5 s); a generous bound shows the deadline cut the stall short.
    assert seen["stalled_after"] < 2.5
    stats = seen["stats"]
    assert stats["lingering"] == 0
    assert stats.get("returns_bad", 0) + stats.get("connections_lost", 0) >= 1
    assert seen["after"]["rows"] == seen["before"]["rows"]
    # As the stall ends Toxiproxy closes the links that carried it, idle pooled ones too:
    # a call may meet one just closed and say so (connection_error), never more than once
    assert seen["lost_after"] in ([], [ToolErrorCode.CONNECTION_ERROR])


async def _first_answer(tool: DirectQueryTool) -> tuple[dict, list[ToolErrorCode]]:
    """The first answer of up to two calls, and the codes of the calls that failed."""
    failed: list[ToolErrorCode] = []
    for _ in range(2):
        try:
            return await tool.run(QUERY, call_context("acme", budget_seconds=3.0)), failed
        except ToolError as exc:
            failed.append(exc.code)
    raise AssertionError(f"no answer after the stall ended: {failed}")


def test_no_connection_by_the_deadline_reads_as_unreachable_even_on_a_stalled_loop() -> None:
    """The pool's wait ends just before the deadline to say "no connection"; when the loop
    stalls past both (a busy machine), the two timers come due in one turn, and the answer
    must still be the honest one: connection_error, not timeout."""
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]  # nothing listens here once it is closed
    pool = GuardedPool(
        f"postgresql://nobody@127.0.0.1:{port}/nothing",
        max_size=1,
        connect_timeout=1.0,
        lingering=LingeringTasks(),
    )

    async def scenario() -> ToolErrorCode:
        async def never_runs(conn: object) -> None:
            raise AssertionError("no connection can be lent")

        call = asyncio.create_task(run_on_database(pool, 0.3, "direct_query", never_runs))
        await asyncio.sleep(0)  # the call starts waiting for a connection
        time.sleep(0.6)  # the loop stalls past the pool's wait and the deadline alike
        try:
            with pytest.raises(ToolError) as failed:
                await call
            return failed.value.code
        finally:
            await pool.aclose()

    assert asyncio.run(scenario()) is ToolErrorCode.CONNECTION_ERROR
