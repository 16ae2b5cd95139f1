"""`gauntlet demo` answers partial: a success, a deadline, a fallback, a dependant."""

from __future__ import annotations

import asyncio

from orchestrator_tools import by_call

from orchestrator import OrchestrationStatus, ToolErrorCode
from scenarios.cli.demo_orchestration import run_demo


def test_the_demo_shows_each_kind_of_outcome() -> None:
    response = asyncio.run(run_demo())
    results = by_call(response)
    assert response.status is OrchestrationStatus.PARTIAL
    assert results["metrics"].error_code is ToolErrorCode.TIMEOUT
    assert results["topology"].fallback_used
    assert results["summary"].data == {"service_count": 3}
