"""Bulkhead, rate limit, breaker and retry as the orchestrator applies them to calls."""

from __future__ import annotations

import asyncio

import pytest
from orchestrator_tools import ScriptedTool, StubbornTool, by_call, plan_request, upstream_error

from orchestrator import (
    BreakerState,
    OrchestrationStatus,
    Orchestrator,
    PolicySettings,
    RetryPolicy,
    ToolError,
    ToolErrorCode,
    VirtualClock,
)
from orchestrator.deadline import LingeringTasks

FAST_RETRY = PolicySettings(retry=RetryPolicy(max_attempts=3, base_delay_seconds=0.001))


def _orchestrate_all(orchestrator: Orchestrator, *requests, authenticated: bool = True):
    async def scenario():
        async with orchestrator:
            return [
                await orchestrator.orchestrate(r, authenticated=authenticated) for r in requests
            ]

    return asyncio.run(scenario())


def test_the_bulkhead_sheds_calls_beyond_its_bound() -> None:
    narrow = ScriptedTool("narrow", delay=0.2, max_concurrent_calls=1)
    orchestrator = Orchestrator(
        [narrow], lingering=LingeringTasks(), policy=PolicySettings(queue_budget_seconds=0.01)
    )
    [response] = _orchestrate_all(
        orchestrator, plan_request([(f"c{i}", "narrow") for i in range(3)])
    )
    codes = sorted(str(r.error_code) for r in response.results)
    assert codes == ["None", "concurrency_limit", "concurrency_limit"]
    assert narrow.runs == 1
    assert orchestrator.statistics()["narrow"].bulkhead.rejected == 2


def test_the_rate_limit_fails_fast_with_rate_limited() -> None:
    clock = VirtualClock()
    limited = ScriptedTool("limited", rate_limit_per_minute=2)
    # One tenant may use the whole rate here: this pins the tool-wide bucket.
    orchestrator = Orchestrator(
        [limited],
        lingering=LingeringTasks(),
        clock=clock,
        policy=PolicySettings(tenant_share=1.0),
    )
    responses = _orchestrate_all(
        orchestrator, *[plan_request([("a", "limited")]) for _ in range(3)]
    )
    assert [r.status for r in responses] == [OrchestrationStatus.SUCCESS] * 2 + [
        OrchestrationStatus.FAILED
    ]
    assert by_call(responses[2])["a"].error_code is ToolErrorCode.RATE_LIMITED
    assert limited.runs == 2


def test_the_declared_burst_bounds_calls_arriving_at_once() -> None:
    clock = VirtualClock()
    limited = ScriptedTool("limited", rate_limit_per_minute=600, rate_limit_burst=2)
    orchestrator = Orchestrator(
        [limited],
        lingering=LingeringTasks(),
        clock=clock,
        policy=PolicySettings(tenant_share=1.0),
    )
    responses = _orchestrate_all(
        orchestrator, *[plan_request([("a", "limited")]) for _ in range(3)]
    )
    assert [by_call(r)["a"].error_code for r in responses] == [
        None,
        None,
        ToolErrorCode.RATE_LIMITED,
    ]
    assert orchestrator.statistics()["limited"].rate_limiter.burst == 2


def test_the_breaker_opens_then_fails_fast_and_a_probe_closes_it() -> None:
    clock = VirtualClock()
    flaky = ScriptedTool("flaky", outcomes=[upstream_error()] * 2, capability_type="read_write")
    orchestrator = Orchestrator(
        [flaky],
        lingering=LingeringTasks(),
        clock=clock,
        # One tenant may open the shared breaker here: this pins the tool-wide breaker.
        policy=PolicySettings(
            breaker_failure_threshold=2, breaker_cool_down_seconds=30, tenant_share=1.0
        ),
    )
    request = plan_request([("a", "flaky")])

    async def scenario():
        async with orchestrator:
            for _ in range(2):
                await orchestrator.orchestrate(request)
            refused = await orchestrator.orchestrate(request)
            state_while_open = orchestrator.statistics()["flaky"].breaker.state
            clock.advance(30)
            probe = await orchestrator.orchestrate(request)
            return refused, state_while_open, probe

    refused, state_while_open, probe = asyncio.run(scenario())
    result = by_call(refused)["a"]
    assert result.error_code is ToolErrorCode.CIRCUIT_OPEN
    assert "circuit breaker is open" in result.error_message
    assert state_while_open is BreakerState.OPEN
    assert flaky.runs == 3  # two failures and the probe; the refused call never ran
    assert probe.status is OrchestrationStatus.SUCCESS
    assert orchestrator.statistics()["flaky"].breaker.state is BreakerState.CLOSED


def test_an_open_breaker_still_allows_the_fallback() -> None:
    clock = VirtualClock()
    topology = ScriptedTool(
        "topology",
        default=upstream_error(),
        fallback_enabled=True,
        fallback_data="snapshot",
        capability_type="read_write",
    )
    orchestrator = Orchestrator(
        [topology],
        lingering=LingeringTasks(),
        clock=clock,
        policy=PolicySettings(breaker_failure_threshold=1),
    )
    responses = _orchestrate_all(orchestrator, *[plan_request([("a", "topology")])] * 2)
    assert [r.status for r in responses] == [OrchestrationStatus.DEGRADED] * 2
    assert topology.runs == 1 and topology.fallback_runs == 2


def test_idempotent_reads_are_retried_on_transient_errors() -> None:
    reads = ScriptedTool(
        "reads",
        outcomes=[upstream_error(), ToolError(ToolErrorCode.CONNECTION_ERROR)],
        default={"ok": 1},
    )
    [response] = _orchestrate_all(
        Orchestrator([reads], lingering=LingeringTasks(), policy=FAST_RETRY),
        plan_request([("a", "reads")]),
    )
    result = by_call(response)["a"]
    assert result.success and result.attempts == 3 and reads.runs == 3


@pytest.mark.parametrize("capability_type", ["read_write", "append_only"])
def test_writes_are_never_retried(capability_type: str) -> None:
    writes = ScriptedTool("writes", outcomes=[upstream_error()], capability_type=capability_type)
    [response] = _orchestrate_all(
        Orchestrator([writes], lingering=LingeringTasks(), policy=FAST_RETRY),
        plan_request([("a", "writes")]),
    )
    assert by_call(response)["a"].attempts == 1 and writes.runs == 1


@pytest.mark.parametrize(
    "error",
    [
        ToolError(ToolErrorCode.UNSAFE_QUERY, "DELETE is not allowed"),
        ToolError(ToolErrorCode.SCHEMA_MISMATCH, "no column x"),
        ToolError(ToolErrorCode.INVALID_ARGUMENTS, "bad"),
    ],
)
def test_non_transient_errors_are_not_retried(error: ToolError) -> None:
    reads = ScriptedTool("reads", outcomes=[error])
    [response] = _orchestrate_all(
        Orchestrator([reads], lingering=LingeringTasks(), policy=FAST_RETRY),
        plan_request([("a", "reads")]),
    )
    result = by_call(response)["a"]
    assert (result.error_code, result.attempts) == (error.code, 1)
    assert result.security_error is error.code.is_security


def test_a_timeout_is_not_retried_and_retries_stop_at_the_deadline() -> None:
    stalled = StubbornTool("stall", cleanup_seconds=0.0, timeout_seconds=0.1)
    [response] = _orchestrate_all(
        Orchestrator([stalled], lingering=LingeringTasks(), policy=FAST_RETRY),
        plan_request([("a", "stall")]),
    )
    assert by_call(response)["a"].attempts == 1

    # Each attempt fails after 0.05 s; retries go on while an attempt would still get its
    # minimum of 0.3 s, never after. How many fit depends on how busy the machine is, so
    # the test holds the policy, not a count. The minimum is checked before the backoff, so
    # an attempt may start a scheduling delay later; one that ignored the minimum would
    # start with less than the 0.05 s an attempt takes.
    slow_failures = ScriptedTool(
        "slowfail", delay=0.05, default=upstream_error(), timeout_seconds=1.0
    )
    patient = PolicySettings(
        retry=RetryPolicy(max_attempts=50, base_delay_seconds=0.001, min_attempt_seconds=0.3),
        breaker_failure_threshold=1000,  # the retries' failures must not open the breaker
    )
    [response] = _orchestrate_all(
        Orchestrator([slow_failures], lingering=LingeringTasks(), policy=patient),
        plan_request([("a", "slowfail")]),
    )
    result = by_call(response)["a"]
    assert result.attempts == slow_failures.runs >= 2  # retried while time was left
    assert result.attempts < 50  # and stopped by the deadline, not by the attempt cap
    assert min(slow_failures.budgets) > 0.1
    assert result.error_code in (ToolErrorCode.UPSTREAM_ERROR, ToolErrorCode.TIMEOUT)


def _breaker_after(tool: ScriptedTool, request, times: int) -> BreakerState:
    orchestrator = Orchestrator(
        [tool],
        lingering=LingeringTasks(),
        policy=PolicySettings(
            breaker_failure_threshold=2, breaker_cool_down_seconds=30, tenant_share=1.0
        ),
    )
    _orchestrate_all(orchestrator, *[request] * times)
    return orchestrator.statistics()[tool.capability.tool_id].breaker.state


def test_a_callers_own_tiny_deadline_never_opens_the_breaker() -> None:
    slow = ScriptedTool("slow", delay=0.2, timeout_seconds=5)
    tiny = plan_request([("a", "slow")], deadline_seconds=0.004)
    assert _breaker_after(slow, tiny, times=6) is BreakerState.CLOSED
    assert slow.runs == 6  # every call reached the tool: none was refused by the breaker


def test_a_failure_the_callers_short_budget_caused_never_opens_the_breaker() -> None:
    """The real tools give up a little before the budget they are given (the statement
    timeout and the pool's wait end 50 ms early), so the caller's short deadline shows as
    the tool's own timeout just before it, not as the engine's cut. Still neutral."""
    gives_up_early = ScriptedTool(
        "db",
        delay=0.27,
        default=ToolError(ToolErrorCode.TIMEOUT, "statement timeout"),
        timeout_seconds=5,
    )
    short = plan_request([("a", "db")], deadline_seconds=0.3)
    assert _breaker_after(gives_up_early, short, times=6) is BreakerState.CLOSED
    assert gives_up_early.runs == 6


def test_an_outage_met_early_in_a_short_budget_still_counts() -> None:
    """A refused connection comes long before any deadline: the upstream is down, whatever
    budget the caller gave."""
    down = ScriptedTool("db", default=upstream_error(), timeout_seconds=5)
    short = plan_request([("a", "db")], deadline_seconds=0.3)
    assert _breaker_after(down, short, times=4) is BreakerState.OPEN


def test_a_call_cut_at_its_own_deadline_still_counts_as_upstream_failure() -> None:
    slow = ScriptedTool("slow", delay=0.2, timeout_seconds=0.01)
    assert _breaker_after(slow, plan_request([("a", "slow")]), times=2) is BreakerState.OPEN
