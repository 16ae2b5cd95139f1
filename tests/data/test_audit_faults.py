"""The audit faults of the chaos catalogue, applied for real and always rolled back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from data_world import call_context

from chaos.faults import parse_fault
from chaos.postgres import EmbeddedPostgres
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import aclose_tools, build_tools

pytestmark = pytest.mark.integration


@dataclass
class SpoolOnly:
    """The one part of a world `spool_disk_full` touches."""

    audit_spool_dir: Path


def test_spool_disk_full_refuses_to_acknowledge_and_loses_nothing_spooled_before(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    (audit,) = [
        tool
        for tool in build_tools(
            postgres.dsn("ops", "gauntlet_reader"),
            postgres.dsn("metrics", "gauntlet_reader"),
            postgres.dsn("ops", "gauntlet_auditor"),
            spool_dir=tmp_path,
            lingering=LingeringTasks(),
        )
        if tool.capability.tool_id == "audit"
    ]
    fault = parse_fault({"kind": "spool_disk_full"})

    async def scenario() -> tuple[str, ToolErrorCode]:
        try:
            await audit.fallback({"action": "a"}, call_context("acme", request_id="full-1"))
            with fault.apply(SpoolOnly(tmp_path)), pytest.raises(ToolError) as refused:
                await audit.fallback({"action": "a"}, call_context("acme", request_id="full-2"))
            await audit.fallback({"action": "a"}, call_context("acme", request_id="full-3"))
            await audit.flush_spool()
            return str(refused.value), refused.value.code
        finally:
            await aclose_tools([audit])

    message, code = asyncio.run(scenario())
    assert code is ToolErrorCode.INTERNAL_ERROR and "No space left on device" in message
    assert not (tmp_path / "audit-spool.jsonl").is_symlink()
    with psycopg.connect(postgres.dsn("ops", postgres.superuser)) as conn:
        ids = conn.execute(
            "SELECT request_id FROM ops.audit_log WHERE request_id LIKE 'full-%' ORDER BY 1"
        ).fetchall()
    assert [row[0] for row in ids] == ["full-1", "full-3"]


def test_audit_poison_records_are_audited_and_never_block_the_spool(gauntlet) -> None:
    world = gauntlet.world
    with parse_fault({"kind": "audit_poison_record", "requests": 2}).apply(world):
        pass
    # A request after the poison is audited as usual.
    answer = gauntlet.orchestrate("acme", "service_overview", service="checkout")
    assert answer.observation.status == "success"
    with psycopg.connect(world.admin_dsn) as conn:
        details = conn.execute(
            "SELECT detail::text FROM ops.audit_log WHERE request_id LIKE 'poison-%'"
        ).fetchall()
        after = conn.execute(
            "SELECT count(*) FROM ops.audit_log WHERE request_id = %s",
            [answer.observation.request_id],
        ).fetchone()
    assert len(details) == 2 and all("\ufffd" in row[0] for row in details)
    assert after == (1,)
    assert not (world.audit_spool_dir / "audit-dead-letter.jsonl").exists()
