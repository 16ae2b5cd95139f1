"""One row over the result cap is refused by the database before it is sent: the service
never holds it (a client-side count comes too late, libpq reads a row whole)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from data_world import call_context

from chaos.postgres import EmbeddedPostgres
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import DirectQueryTool, GuardedPool

pytestmark = pytest.mark.integration

DATA_TESTS = Path(__file__).resolve().parent
# 40 MB in one row against the 10 MB cap; quick enough for Postgres to build.
HUGE_ROW = "SELECT repeat('x', 40000000) AS blob"

# Run in a process of its own: the peak resident size of this one already holds what
# other tests read.
_PEAK_GROWTH = """
import asyncio, json, resource, sys
sys.path.insert(0, sys.argv[2])
from data_world import call_context
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import DirectQueryTool, GuardedPool

async def main():
    tool = DirectQueryTool(GuardedPool(sys.argv[1], max_size=1, lingering=LingeringTasks()))
    try:
        await tool.run({"sql": "SELECT 1 AS warm"}, call_context("acme", budget_seconds=30.0))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            await tool.run({"sql": sys.argv[3]}, call_context("acme", budget_seconds=30.0))
            code = None
        except ToolError as error:
            code = error.code.value
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(json.dumps({"code": code, "growth_mib": grown / 1024}))
    finally:
        await tool.aclose()

asyncio.run(main())
"""


def test_a_row_over_the_cap_never_reaches_the_service(postgres: EmbeddedPostgres) -> None:
    dsn = postgres.dsn("ops", "gauntlet_reader")
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_GROWTH, dsn, str(DATA_TESTS), HUGE_ROW],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["code"] == ToolErrorCode.RESULT_TOO_LARGE.value
    # fetched whole, the row alone would be 40 MB, and its text and JSON as much again
    assert outcome["growth_mib"] < 16, outcome


def _ask(postgres: EmbeddedPostgres, sql: str) -> Any:
    async def scenario() -> Any:
        dsn = postgres.dsn("ops", "gauntlet_reader")
        tool = DirectQueryTool(GuardedPool(dsn, max_size=1, lingering=LingeringTasks()))
        try:
            return await tool.run({"sql": sql}, call_context("acme", budget_seconds=30.0))
        except ToolError as error:
            return error
        finally:
            await tool.aclose()

    return asyncio.run(scenario())


@pytest.mark.parametrize(
    ("sql", "columns", "first"),
    [
        ("SELECT repeat('x', 1000000) AS blob", ["blob"], {"blob": "x" * 1000000}),
        ("SELECT 1 AS a, 2 AS b -- a trailing comment", ["a", "b"], {"a": 1, "b": 2}),
        ("SELECT service FROM ops.services ORDER BY service", ["service"], {"service": "auth"}),
    ],
)
def test_rows_within_the_cap_come_back_as_they_were(
    postgres: EmbeddedPostgres, sql: str, columns: list[str], first: dict[str, Any]
) -> None:
    answer = _ask(postgres, sql)
    assert not isinstance(answer, ToolError), answer
    assert answer["columns"] == columns
    assert answer["rows"][0] == first


def test_the_refusal_names_the_size_and_is_the_size_code(postgres: EmbeddedPostgres) -> None:
    answer = _ask(postgres, "SELECT repeat('y', 11000000) AS blob")
    assert isinstance(answer, ToolError) and answer.code is ToolErrorCode.RESULT_TOO_LARGE
    assert "11000028 bytes" in answer.message
    assert not json.dumps(answer.message).count("y" * 100)
