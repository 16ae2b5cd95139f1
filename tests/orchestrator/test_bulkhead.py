"""The bulkhead never exceeds its bound, whatever the arrivals; full means fail fast."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator import Bulkhead, ToolError, ToolErrorCode

arrivals = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=30)


async def _yield(times: int) -> None:
    for _ in range(times):
        await asyncio.sleep(0)


@settings(max_examples=150, deadline=None)
@given(limit=st.integers(1, 4), arrivals=arrivals, patient=st.booleans())
def test_in_flight_never_exceeds_the_limit(
    limit: int, arrivals: list[tuple[int, int]], patient: bool
) -> None:
    # Time is counted in event-loop turns, so the property runs fast and deterministically.
    async def scenario() -> tuple[int, int, int]:
        bulkhead = Bulkhead(limit, queue_budget_seconds=5.0 if patient else 0.0, name="t")
        in_flight = peak = rejected = 0

        async def caller(delay: int, hold: int) -> None:
            nonlocal in_flight, peak, rejected
            await _yield(delay)
            try:
                await bulkhead.acquire()
            except ToolError as error:
                assert error.code is ToolErrorCode.CONCURRENCY_LIMIT
                rejected += 1
                return
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                await _yield(hold)
            finally:
                in_flight -= 1
                bulkhead.release()

        async with asyncio.TaskGroup() as group:
            for delay, hold in arrivals:
                group.create_task(caller(delay, hold))
        stats = bulkhead.statistics()
        assert stats.in_flight == 0 and stats.waiting == 0
        assert stats.admitted + stats.rejected == len(arrivals)
        assert stats.peak_in_flight == peak
        return peak, rejected, stats.rejected

    peak, rejected, counted = asyncio.run(scenario())
    assert peak <= limit
    assert rejected == counted
    if patient:
        assert rejected == 0  # a generous queue budget admits everyone eventually


def test_a_full_bulkhead_fails_after_its_queue_budget() -> None:
    async def scenario() -> None:
        bulkhead = Bulkhead(1, queue_budget_seconds=0.02, name="slow")
        await bulkhead.acquire()
        with pytest.raises(ToolError) as refused:
            await bulkhead.acquire()
        assert refused.value.code is ToolErrorCode.CONCURRENCY_LIMIT
        assert "'slow'" in refused.value.message
        bulkhead.release()
        await bulkhead.acquire()  # the slot is free again
        bulkhead.release()

    asyncio.run(scenario())


def test_a_cancelled_waiter_does_not_leak_a_slot() -> None:
    async def scenario() -> None:
        bulkhead = Bulkhead(1, queue_budget_seconds=5.0)
        await bulkhead.acquire()
        waiter = asyncio.create_task(bulkhead.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        bulkhead.release()
        assert bulkhead.statistics().in_flight == 0

    asyncio.run(scenario())


def test_release_without_acquire_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        Bulkhead(2).release()
