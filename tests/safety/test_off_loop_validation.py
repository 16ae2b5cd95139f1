"""Validation runs off the event loop, in worker processes, under a time budget.

Parsing is pure CPU and sqlglot cannot be interrupted, so a costly query used to stall
the loop (and /healthz) for seconds. These tests show the budget cutting that stall
short, the loop staying responsive meanwhile, and a killed worker being replaced.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import psutil
import pytest

from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import SecurityRefusal
from orchestrator.safety import MAX_QUERY_BYTES, ValidatorPool, validate_direct_query
from orchestrator.tool import CallContext
from orchestrator.tools import DirectQueryTool, GuardedPool

# Just under the size limit, and among the costliest shapes to parse per byte.
PATHOLOGICAL = "SELECT 1" + "+1" * ((MAX_QUERY_BYTES - 10) // 2)
TINY_BUDGET = 0.05


def _unbudgeted_cost() -> float:
    started = time.perf_counter()
    assert validate_direct_query(PATHOLOGICAL).is_safe  # it is legal, only costly
    return time.perf_counter() - started


async def _with_pool(
    budget: float, body: Callable[[ValidatorPool], Awaitable[None]], workers: int = 1
) -> None:
    pool = ValidatorPool(workers=workers, budget_seconds=budget)
    try:
        await pool.wait_ready()  # startup is not part of the budget
        await body(pool)
    finally:
        await pool.aclose()


def test_a_pathological_query_is_refused_within_the_budget() -> None:
    unbudgeted = _unbudgeted_cost()

    async def body(pool: ValidatorPool) -> None:
        started = time.perf_counter()
        verdict = await pool.validate(PATHOLOGICAL, tenant_id="acme")
        elapsed = time.perf_counter() - started
        assert verdict.codes == ("too_complex",)
        assert elapsed < unbudgeted / 2, (elapsed, unbudgeted)
        assert pool.statistics().over_budget >= 1
        # the killed worker was replaced: the pool still answers, and in a worker again
        assert (await pool.validate("SELECT service FROM services")).is_safe
        await pool.wait_ready()
        assert (await pool.validate(PATHOLOGICAL)).codes == ("too_complex",)

    asyncio.run(_with_pool(TINY_BUDGET, body))


def test_the_event_loop_keeps_running_while_a_query_is_analysed() -> None:
    async def body(pool: ValidatorPool) -> None:
        gaps: list[float] = []

        async def heartbeat() -> None:
            last = time.perf_counter()
            while True:
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        async with asyncio.TaskGroup() as group:
            beat = group.create_task(heartbeat())
            started = time.perf_counter()
            verdict = await pool.validate(PATHOLOGICAL)  # a generous budget: it completes
            analysis = time.perf_counter() - started
            beat.cancel()
        assert verdict.is_safe
        assert max(gaps) < analysis / 2, (max(gaps), analysis)

    asyncio.run(_with_pool(60.0, body))


def test_a_cancelled_validation_kills_its_worker_and_the_pool_recovers() -> None:
    async def body(pool: ValidatorPool) -> None:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(TINY_BUDGET):
                await pool.validate(PATHOLOGICAL)
        assert pool.statistics().cancelled == 1
        assert (await pool.validate("SELECT 1")).is_safe

    asyncio.run(_with_pool(60.0, body))


def test_a_query_is_answered_while_the_workers_are_still_starting() -> None:
    async def scenario() -> None:
        pool = ValidatorPool(workers=1, budget_seconds=TINY_BUDGET)
        try:
            # No wait for the cold start: answered in a thread meanwhile, never refused for it.
            verdict = await pool.validate("SELECT (1.0).pg_sleep")
            assert verdict.codes == ("attribute_call",)
        finally:
            await pool.aclose()

    asyncio.run(scenario())


def test_the_tool_refuses_through_the_worker_pool() -> None:
    async def scenario() -> SecurityRefusal:
        tool = DirectQueryTool(
            GuardedPool(
                "postgresql://unused@127.0.0.1:1/ops", max_size=1, lingering=LingeringTasks()
            )
        )
        ctx = CallContext(request_id="r", tenant_id="acme", authenticated=True, call_id="c")
        try:
            with pytest.raises(SecurityRefusal) as refusal:
                await tool.run({"sql": "SELECT (1.0).pg_sleep"}, ctx)
            return refusal.value
        finally:
            await tool.aclose()

    refusal = asyncio.run(scenario())
    assert refusal.code is ToolErrorCode.UNSAFE_QUERY
    assert "attribute_call" in str(refusal)


def test_the_public_surface_is_pinned() -> None:
    import orchestrator.safety as safety

    assert sorted(safety.__all__) == [
        "Catalog",
        "MAX_QUERY_BYTES",
        "OPS_CATALOG",
        "QueryValidation",
        "ValidatorPool",
        "ValidatorPoolStatistics",
        "Violation",
        "validate_direct_query",
    ]


_ABANDONING_OWNER = """
import asyncio
from orchestrator.safety import ValidatorPool

async def main():
    pool = ValidatorPool(workers=2)  # never closed: its owner is interrupted
    print(" ".join(str(w._process.pid) for w in pool._idle), flush=True)

asyncio.run(main())
"""


def test_workers_of_a_pool_never_closed_end_with_their_process() -> None:
    """An owner interrupted before it closed its pool (a signal during start-up) leaves no
    worker behind: the workers are still importing sqlglot when it exits, and would
    outlive it until they read the end of their input."""
    done = subprocess.run(
        [sys.executable, "-c", _ABANDONING_OWNER], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 2
    alive = [pid for pid in pids if psutil.pid_exists(pid) and _not_a_zombie(pid)]
    assert alive == [], f"workers outlived their process: {alive}"


def _not_a_zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_one_tenant_holds_at_most_its_share_of_the_workers() -> None:
    """acme's two costly queries take one worker between them; globex's is answered on
    the other long before either of acme's could end."""

    async def scenario() -> None:
        pool = ValidatorPool(workers=2, budget_seconds=60.0, tenant_share=0.5)
        try:
            await pool.wait_ready()
            costly = [
                asyncio.create_task(pool.validate(PATHOLOGICAL, tenant_id="acme")) for _ in range(2)
            ]
            await asyncio.sleep(0.2)  # both of acme's are in the pool before globex asks
            assert (await pool.validate("SELECT 1", tenant_id="globex")).is_safe
            assert not any(task.done() for task in costly)
            for task in costly:
                task.cancel()
            await asyncio.gather(*costly, return_exceptions=True)
        finally:
            await pool.aclose()

    assert ValidatorPool(workers=2, tenant_share=0.5).tenant_workers == 1
    asyncio.run(scenario())


def test_a_long_query_waits_for_a_starting_worker_instead_of_running_here() -> None:
    """In this process a costly parse could be neither stopped nor kept off the CPU the
    service needs: only a short query is validated here while the worker starts."""

    async def scenario() -> None:
        pool = ValidatorPool(workers=1, budget_seconds=60.0)
        try:
            assert (await pool.validate(PATHOLOGICAL, tenant_id="acme")).is_safe
            assert pool.statistics().in_thread == 0
        finally:
            await pool.aclose()

    asyncio.run(scenario())
