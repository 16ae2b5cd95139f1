"""The audit spool is bounded: during a long outage a record past the bound is refused, so
its call is not acknowledged, instead of the spool filling the disk; room comes back as the
records waiting are replayed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from data_world import call_context

from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import GuardedPool, build_tools
from orchestrator.tools._audit import AuditTool
from orchestrator.tools._audit_spool import MAX_PENDING_BYTES, AuditSpool, SpoolFull

BOUND = 4096


def _record(n: int) -> dict:
    return {"request_id": f"r-{n}", "tenant_id": "acme", "action": "q", "detail": {}, "at": 1.0}


def _fill(spool: AuditSpool) -> int:
    appended = 0
    with pytest.raises(SpoolFull, match="audit spool full"):
        while True:
            spool.append(_record(appended))
            appended += 1
    return appended


def test_records_past_the_bound_are_refused_and_those_taken_are_all_kept(tmp_path: Path) -> None:
    spool = AuditSpool(tmp_path, max_pending_bytes=BOUND)
    appended = _fill(spool)
    assert appended > 0
    assert spool.pending_bytes() <= BOUND
    assert [r["request_id"] for r in spool.pending_records()] == [f"r-{n}" for n in range(appended)]


def test_room_comes_back_once_the_waiting_records_are_replayed(tmp_path: Path) -> None:
    spool = AuditSpool(tmp_path, max_pending_bytes=BOUND)
    _fill(spool)
    spool.rotate()  # moved aside for replay: still waiting, still counted
    with pytest.raises(SpoolFull):
        spool.append(_record(10_000))
    for replay_file in spool.replay_files():
        spool.discard(replay_file)  # what a replay does once the rows are committed
    spool.append(_record(10_001))
    assert [r["request_id"] for r in spool.pending_records()] == ["r-10001"]


def test_a_full_spool_is_an_audit_failure_never_an_acknowledgement(tmp_path: Path) -> None:
    # Nothing listens on port 1: the database is down, as in an outage.
    pool = GuardedPool("postgresql://a:p@127.0.0.1:1/ops", max_size=1, lingering=LingeringTasks())
    tool = AuditTool(pool, spool_dir=tmp_path)
    tool.spool = AuditSpool(tmp_path, max_pending_bytes=BOUND)
    _fill(tool.spool)

    async def scenario() -> object:
        try:
            return await tool.fallback({"action": "q"}, call_context("acme", request_id="late"))
        except ToolError as error:
            return error
        finally:
            await tool.aclose()

    answer = asyncio.run(scenario())
    assert isinstance(answer, ToolError) and answer.code is ToolErrorCode.INTERNAL_ERROR
    assert "audit spool full" in answer.message
    assert "late" not in {r["request_id"] for r in tool.spool.pending_records()}


@pytest.mark.parametrize(("deployed", "bound"), [(BOUND, BOUND), (None, MAX_PENDING_BYTES)])
def test_a_deployment_sets_the_bound_and_leaves_the_default_when_it_says_nothing(
    tmp_path: Path, deployed: int | None, bound: int
) -> None:
    dsn = "postgresql://a:p@127.0.0.1:1/ops"
    tools = build_tools(
        dsn,
        dsn,
        dsn,
        spool_dir=tmp_path,
        audit_spool_max_bytes=deployed,
        lingering=LingeringTasks(),
    )
    (audit,) = [tool for tool in tools if isinstance(tool, AuditTool)]
    assert audit.spool.max_pending_bytes == bound
