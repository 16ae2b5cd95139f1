"""A tenant's own bad or expensive SQL, run on the real database, never opens the shared
breaker: other tenants' queries are still let through."""

from __future__ import annotations

import asyncio

import pytest

from chaos.faults.tenant_abuse import EXPENSIVE_QUERY
from chaos.postgres import EmbeddedPostgres
from orchestrator import (
    BreakerState,
    LingeringTasks,
    OrchestrationRequest,
    Orchestrator,
    Plan,
    PolicySettings,
    Stage,
    ToolCall,
    ToolErrorCode,
)
from orchestrator.capabilities import CapabilityType, ToolCapability
from orchestrator.tools import DirectQueryTool, GuardedPool

pytestmark = pytest.mark.integration


def _query(tenant: str, sql: str) -> OrchestrationRequest:
    call = ToolCall(call_id="q", tool_id="direct_query", arguments={"sql": sql})
    return OrchestrationRequest(tenant_id=tenant, plan=Plan(stages=[Stage(calls=[call])]))


def test_division_by_zero_and_syntax_errors_do_not_open_the_breaker(
    postgres: EmbeddedPostgres,
) -> None:
    lingering = LingeringTasks()
    pool = GuardedPool(postgres.dsn("ops", "gauntlet_reader"), max_size=2, lingering=lingering)
    orchestrator = Orchestrator(
        [DirectQueryTool(pool)],
        policy=PolicySettings(breaker_failure_threshold=2),
        lingering=lingering,
    )
    hostile = ["SELECT 1/0", "SELECT 'x'::int", "SELECT count(*) FROM ops.services GROUP"]

    async def scenario():
        async with orchestrator:
            codes = []
            for _ in range(3):
                for sql in hostile:
                    response = await orchestrator.orchestrate(_query("globex", sql))
                    codes.append(response.results[0].error_code)
            answer = await orchestrator.orchestrate(
                _query("acme", "SELECT service FROM ops.services ORDER BY service")
            )
            return codes, answer, orchestrator.statistics()["direct_query"].breaker

    codes, answer, breaker = asyncio.run(scenario())
    assert set(codes) == {ToolErrorCode.INVALID_ARGUMENTS}
    assert breaker.state is BreakerState.CLOSED and breaker.times_opened == 0
    assert answer.results[0].success and answer.results[0].data["row_count"] > 0


def test_one_tenants_statements_cut_by_their_timeout_do_not_refuse_another_tenant(
    postgres: EmbeddedPostgres,
) -> None:
    # A short call deadline so that the heavy statement is cut by statement_timeout soon.
    lingering = LingeringTasks()
    pool = GuardedPool(postgres.dsn("ops", "gauntlet_reader"), max_size=2, lingering=lingering)
    capability = ToolCapability.build(
        tool_id="direct_query",
        capability_type=CapabilityType.READ_ONLY,
        timeout_seconds=0.4,
        max_concurrent_calls=4,
    )
    orchestrator = Orchestrator(
        [DirectQueryTool(pool, capability=capability)],
        policy=PolicySettings(breaker_failure_threshold=2, breaker_cool_down_seconds=60),
        lingering=lingering,
    )

    async def scenario():
        async with orchestrator:
            codes = []
            for _ in range(3):
                flood = await orchestrator.orchestrate(_query("initech", EXPENSIVE_QUERY))
                codes.append(flood.results[0].error_code)
            answer = await orchestrator.orchestrate(
                _query("acme", "SELECT service FROM ops.services ORDER BY service")
            )
            return codes, answer, orchestrator.statistics()["direct_query"].breaker

    codes, answer, breaker = asyncio.run(scenario())
    # initech's own statements timed out, then its own breaker refused it
    assert codes == [ToolErrorCode.TIMEOUT, ToolErrorCode.TIMEOUT, ToolErrorCode.CIRCUIT_OPEN]
    assert answer.results[0].success and answer.results[0].data["row_count"] > 0
    assert breaker.state is BreakerState.CLOSED and breaker.tenants_open == 1
