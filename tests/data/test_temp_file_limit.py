"""A tenant's statement may not fill the database's disk with temporary files: the reader
role carries a temp_file_limit it cannot lift, and a spill past it is the caller's error."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from data_world import call_context

from chaos.postgres import EmbeddedPostgres
from chaos.schema import READER_TEMP_FILE_LIMIT
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import DirectQueryTool, GuardedPool

pytestmark = pytest.mark.integration

# Sorting 5e6 rows spills ~70 MB of temporary files with the default work_mem.
SPILLING_SORT = "SELECT g FROM generate_series(1, 5000000) AS g ORDER BY g DESC LIMIT 10"


def test_the_reader_session_has_the_limit_and_cannot_lift_it(postgres: EmbeddedPostgres) -> None:
    with psycopg.connect(postgres.dsn("ops", "gauntlet_reader")) as conn:
        assert conn.execute("SHOW temp_file_limit").fetchone() == (READER_TEMP_FILE_LIMIT,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET temp_file_limit = -1")


def test_a_statement_spilling_past_the_limit_is_refused_as_the_callers_error(
    postgres: EmbeddedPostgres,
) -> None:
    async def scenario() -> Any:
        dsn = postgres.dsn("ops", "gauntlet_reader")
        tool = DirectQueryTool(GuardedPool(dsn, max_size=1, lingering=LingeringTasks()))
        try:
            return await tool.run({"sql": SPILLING_SORT}, call_context("acme", budget_seconds=60))
        except ToolError as error:
            return error
        finally:
            await tool.aclose()

    answer = asyncio.run(scenario())
    assert isinstance(answer, ToolError), answer
    assert answer.code is ToolErrorCode.INVALID_ARGUMENTS, answer
    assert "temp_file_limit" in answer.message
