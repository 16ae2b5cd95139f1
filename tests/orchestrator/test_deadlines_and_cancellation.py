"""Deadlines hold (even against stubborn cleanup), and cancellation leaves nothing behind.

Timing bounds here are generous: they show that a deadline cut a stall short, not speed.
"""

from __future__ import annotations

import asyncio

import pytest
from orchestrator_tools import ScriptedTool, StubbornTool, by_call, plan_request

from orchestrator import OrchestrationStatus, Orchestrator, PolicySettings, ToolErrorCode
from orchestrator.deadline import LingeringTasks

HANG = 3600.0


def test_a_hanging_tool_is_cut_at_its_deadline_and_the_request_is_partial() -> None:
    hanging = ScriptedTool("hang", delay=HANG, timeout_seconds=0.2)
    quick = ScriptedTool("quick")

    async def scenario():
        async with Orchestrator([hanging, quick], lingering=LingeringTasks()) as orchestrator:
            return await orchestrator.orchestrate(plan_request([("h", "hang"), ("q", "quick")]))

    response = asyncio.run(scenario())
    result = by_call(response)["h"]
    assert response.status is OrchestrationStatus.PARTIAL
    assert result.error_code is ToolErrorCode.TIMEOUT
    assert "0.2 s deadline" in result.error_message
    assert hanging.cancelled == 1  # the call was cancelled, not left running
    assert 150 <= result.latency_ms < 2000
    assert by_call(response)["q"].success


def test_stubborn_cleanup_does_not_hold_the_answer_back() -> None:
    stubborn = StubbornTool("stall", cleanup_seconds=1.5, timeout_seconds=0.1)
    quick = ScriptedTool("quick")

    async def scenario():
        orchestrator = Orchestrator(
            [stubborn, quick],
            lingering=LingeringTasks(),
            policy=PolicySettings(cancel_grace_seconds=0.05),
        )
        response = await orchestrator.orchestrate(plan_request([("s", "stall"), ("q", "quick")]))
        lingering_after_answer = orchestrator.lingering_calls
        cleaned_before_close = stubborn.cleanup_finished
        assert await orchestrator.aclose() == 0
        return response, lingering_after_answer, cleaned_before_close, orchestrator.lingering_calls

    response, lingering, cleaned_early, lingering_after_close = asyncio.run(scenario())
    assert response.status is OrchestrationStatus.PARTIAL
    assert by_call(response)["s"].error_code is ToolErrorCode.TIMEOUT
    assert response.latency_ms < 1000  # well before the 1.5 s cleanup ends
    assert lingering == 1 and not cleaned_early
    assert stubborn.cleanup_finished and lingering_after_close == 0


def test_the_request_deadline_cuts_calls_and_skips_later_stages() -> None:
    slow = ScriptedTool("slow", delay=HANG, timeout_seconds=30)
    later = ScriptedTool("later")

    async def scenario():
        async with Orchestrator([slow, later], lingering=LingeringTasks()) as orchestrator:
            return await orchestrator.orchestrate(
                plan_request([("s", "slow")], [("l", "later")], deadline_seconds=0.2)
            )

    response = asyncio.run(scenario())
    results = by_call(response)
    assert results["s"].error_code is ToolErrorCode.TIMEOUT
    assert "request deadline" in results["s"].error_message
    assert results["l"].error_code is ToolErrorCode.TIMEOUT
    assert "not run" in results["l"].error_message
    assert later.runs == 0
    assert response.status is OrchestrationStatus.FAILED
    assert response.latency_ms < 2000


def test_the_default_request_deadline_applies_without_one_in_the_request() -> None:
    slow = ScriptedTool("slow", delay=HANG, timeout_seconds=30)

    async def scenario():
        async with Orchestrator(
            [slow], lingering=LingeringTasks(), request_deadline_seconds=0.1
        ) as orchestrator:
            return await orchestrator.orchestrate(plan_request([("s", "slow")]))

    result = by_call(asyncio.run(scenario()))["s"]
    assert result.error_code is ToolErrorCode.TIMEOUT and "request deadline" in result.error_message


def test_cancelling_orchestrate_leaves_no_task_behind() -> None:
    hanging = [ScriptedTool(f"hang{i}", delay=HANG) for i in range(3)]

    async def scenario() -> None:
        orchestrator = Orchestrator(hanging, lingering=LingeringTasks())
        request = plan_request([(f"c{i}", f"hang{i}") for i in range(3)])
        task = asyncio.create_task(orchestrator.orchestrate(request))
        while sum(tool.runs for tool in hanging) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert asyncio.all_tasks() == {asyncio.current_task()}
        assert [tool.cancelled for tool in hanging] == [1, 1, 1]
        assert orchestrator.statistics()["hang0"].bulkhead.in_flight == 0

    asyncio.run(scenario())


def test_cancelled_in_its_stage_first_turn_every_launched_call_is_given_up() -> None:
    """Cancelled while the attempts the stage launched have had only their first loop turn
    (no driver exists yet): each is cancelled, its slot given back, and the next request
    is served as if nothing had happened."""
    hanging = [ScriptedTool(f"hang{i}", delay=HANG) for i in range(2)]

    async def scenario() -> None:
        orchestrator = Orchestrator(hanging, lingering=LingeringTasks())
        request = plan_request([(f"c{i}", f"hang{i}") for i in range(2)])
        task = asyncio.create_task(orchestrator.orchestrate(request))
        await asyncio.sleep(0)  # orchestrate opens both calls and gives them a loop turn
        assert [tool.runs for tool in hanging] == [0, 0]  # launched, not started yet
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert asyncio.all_tasks() == {asyncio.current_task()}
        assert [tool.cancelled for tool in hanging] == [1, 1]
        statistics = orchestrator.statistics()
        assert [statistics[f"hang{i}"].bulkhead.in_flight for i in range(2)] == [0, 0]
        for tool in hanging:
            tool.delay = 0.0
        response = await orchestrator.orchestrate(request)
        assert response.status is OrchestrationStatus.SUCCESS

    asyncio.run(scenario())


def test_an_outer_timeout_around_orchestrate_propagates_as_cancellation() -> None:
    stubborn = StubbornTool("stall", cleanup_seconds=0.5, timeout_seconds=10)

    async def scenario() -> None:
        orchestrator = Orchestrator([stubborn], lingering=LingeringTasks())
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await orchestrator.orchestrate(plan_request([("s", "stall")]))
        assert orchestrator.lingering_calls == 1  # tracked, not leaked
        await orchestrator.aclose()
        assert asyncio.all_tasks() == {asyncio.current_task()}

    asyncio.run(scenario())
