"""The call lifecycle as the engine runs it: budgets that shrink on retries, no task
left unowned, a breaker only upstream failures open, and tenants kept to their share."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest
from orchestrator_tools import ScriptedTool, by_call, plan_request, upstream_error
from psycopg import errors as pg

from orchestrator import (
    BreakerState,
    Orchestrator,
    PolicySettings,
    RetryPolicy,
    SecurityRefusal,
    ToolError,
    ToolErrorCode,
    VirtualClock,
)
from orchestrator.deadline import LingeringTasks
from orchestrator.tools._db_errors import map_db_error

SLOW_RETRY = PolicySettings(retry=RetryPolicy(max_attempts=3, base_delay_seconds=0.05))


def test_a_retry_attempt_sees_less_budget_than_the_first() -> None:
    flaky = ScriptedTool("flaky", delay=0.05, outcomes=[upstream_error()], timeout_seconds=2.0)

    async def scenario():
        async with Orchestrator(
            [flaky], lingering=LingeringTasks(), policy=SLOW_RETRY
        ) as orchestrator:
            return await orchestrator.orchestrate(plan_request([("a", "flaky")]))

    result = by_call(asyncio.run(scenario()))["a"]
    assert result.success and result.attempts == 2
    first, retry = flaky.budgets
    assert first <= 2.0
    # The first attempt's 50 ms and the 50 ms backoff are gone from the retry's budget.
    assert retry <= first - 0.09


def test_the_budget_a_tool_reads_is_cut_by_the_request_deadline() -> None:
    tool = ScriptedTool("t", timeout_seconds=30)

    async def scenario():
        async with Orchestrator([tool], lingering=LingeringTasks()) as orchestrator:
            await orchestrator.orchestrate(plan_request([("a", "t")], deadline_seconds=0.5))

    asyncio.run(scenario())
    assert 0 < tool.budgets[0] <= 0.5


class _Crashing(ScriptedTool):
    """Raises a foreign exception after a delay, or hangs."""

    async def run(self, arguments, ctx):
        await super().run(arguments, ctx)
        raise RuntimeError("boom")


class _FailsWhileCleaningUp(ScriptedTool):
    """Hangs; cancelled, it takes longer than the grace to clean up, then raises (as a
    driver does when its connection dies under it): an abandoned task with an exception."""

    async def run(self, arguments, ctx):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            await asyncio.sleep(0.08)
            raise RuntimeError("connection lost during cleanup") from None


def test_no_task_exception_is_ever_left_unretrieved(caplog: pytest.LogCaptureFixture) -> None:
    """Many failing, timing-out and cancelled calls; asyncio must report nothing."""
    crashing = _Crashing("crash", delay=0.001, fallback_enabled=True, fallback_error=None)
    hanging = _FailsWhileCleaningUp("hang", timeout_seconds=0.02)
    flaky = ScriptedTool("flaky", default=upstream_error(), fallback_enabled=True)
    reported: list[dict] = []

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(
            lambda _, context: reported.append(context)
        )
        orchestrator = Orchestrator(
            [crashing, hanging, flaky], lingering=LingeringTasks(), policy=SLOW_RETRY
        )
        request = plan_request([("c", "crash"), ("h", "hang"), ("f", "flaky")])
        for round_index in range(30):
            task = asyncio.create_task(orchestrator.orchestrate(request))
            if round_index % 2:  # cancel mid-flight, at different moments
                await asyncio.sleep(0.001 * (round_index % 7))
                task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        await orchestrator.aclose()
        assert asyncio.all_tasks() == {asyncio.current_task()}

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        asyncio.run(scenario())
        gc.collect()  # "never retrieved" is logged when an unread task is collected
    assert reported == []
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert hanging.cancelled >= 5  # the deadline and the cancellations both reached it


@pytest.mark.parametrize(
    "error",
    [
        ToolError(ToolErrorCode.INVALID_ARGUMENTS, "division by zero"),
        SecurityRefusal(ToolErrorCode.UNSAFE_QUERY, "pg_sleep"),
        ToolError(ToolErrorCode.SCHEMA_MISMATCH, "no such column"),
    ],
)
def test_a_callers_own_errors_never_open_the_breaker(error: ToolError) -> None:
    tool = ScriptedTool("q", default=error, capability_type="read_write")
    orchestrator = Orchestrator(
        [tool], lingering=LingeringTasks(), policy=PolicySettings(breaker_failure_threshold=2)
    )

    async def scenario():
        async with orchestrator:
            for _ in range(10):
                await orchestrator.orchestrate(plan_request([("a", "q")], tenant_id="mallory"))
            tool.default = "ok"
            return await orchestrator.orchestrate(plan_request([("a", "q")], tenant_id="acme"))

    response = asyncio.run(scenario())
    assert by_call(response)["a"].success
    assert orchestrator.statistics()["q"].breaker.state is BreakerState.CLOSED


@pytest.mark.parametrize(
    "exc",
    [
        pg.DivisionByZero("division by zero"),
        pg.SyntaxError('syntax error at or near "SELEC"'),
        pg.InvalidTextRepresentation("invalid input syntax for type integer"),
        pg.NumericValueOutOfRange("integer out of range"),
        # class 54 and 53400 are OperationalErrors in psycopg, told by their SQLSTATE
        pg.StatementTooComplex("stack depth limit exceeded"),
        pg.TooManyColumns("target lists can have at most 1664 entries"),
        pg.ProgramLimitExceeded("statement too large"),
        pg.ConfigurationLimitExceeded("temporary file size exceeds temp_file_limit"),
    ],
)
def test_sql_errors_of_the_callers_making_map_to_invalid_arguments(exc: Exception) -> None:
    assert map_db_error(exc, tool_id="direct_query").code is ToolErrorCode.INVALID_ARGUMENTS


def test_the_open_breaker_answers_circuit_open_and_the_call_falls_back() -> None:
    clock = VirtualClock()
    down = ScriptedTool(
        "down", default=upstream_error(), fallback_enabled=True, fallback_data="snapshot"
    )
    orchestrator = Orchestrator(
        [down],
        lingering=LingeringTasks(),
        clock=clock,
        policy=PolicySettings(breaker_failure_threshold=1),
    )

    async def scenario():
        async with orchestrator:
            await orchestrator.orchestrate(plan_request([("a", "down")]))
            return await orchestrator.orchestrate(plan_request([("a", "down")]))

    result = by_call(asyncio.run(scenario()))["a"]
    assert result.success and result.fallback_used and result.attempts == 0
    assert down.runs == 1  # the second call never reached the tool


def test_one_tenants_flood_leaves_the_other_tenants_their_share_of_slots() -> None:
    slow = ScriptedTool("slow", delay=0.1, max_concurrent_calls=4)
    orchestrator = Orchestrator(
        [slow], lingering=LingeringTasks(), policy=PolicySettings(queue_budget_seconds=0.0)
    )

    async def scenario():
        async with orchestrator:
            flood = [
                orchestrator.orchestrate(plan_request([("a", "slow")], tenant_id="mallory"))
                for _ in range(8)
            ]
            others = [
                orchestrator.orchestrate(plan_request([("a", "slow")], tenant_id=tenant))
                for tenant in ("acme", "globex")
            ]
            return await asyncio.gather(*flood, *others)

    responses = asyncio.run(scenario())
    flood, others = responses[:8], responses[8:]
    assert sum(by_call(r)["a"].success for r in flood) == 2  # half of 4 slots
    codes = {by_call(r)["a"].error_code for r in flood} - {None}
    assert codes == {ToolErrorCode.CONCURRENCY_LIMIT}
    assert all(by_call(r)["a"].success for r in others)


def test_one_tenants_flood_leaves_the_other_tenants_their_share_of_the_rate() -> None:
    clock = VirtualClock()
    limited = ScriptedTool("limited", rate_limit_per_minute=10)
    orchestrator = Orchestrator([limited], lingering=LingeringTasks(), clock=clock)

    async def scenario():
        async with orchestrator:
            flood = [
                await orchestrator.orchestrate(plan_request([("a", "limited")], tenant_id="m"))
                for _ in range(10)
            ]
            other = await orchestrator.orchestrate(plan_request([("a", "limited")]))
            return flood, other

    flood, other = asyncio.run(scenario())
    assert [by_call(r)["a"].success for r in flood] == [True] * 5 + [False] * 5
    assert by_call(flood[-1])["a"].error_code is ToolErrorCode.RATE_LIMITED
    assert by_call(other)["a"].success
    assert orchestrator.statistics()["limited"].rate_limiter.rejected == 5
