"""The audit faults of the chaos catalogue, applied for real and always rolled back."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from data_world import call_context

from chaos.faults import Crowd, Fault, FaultInjectionError, PlannedRequest, parse_fault
from chaos.postgres import EmbeddedPostgres
from chaos.spool_filesystem import FILLER_NAME, mounted_spool
from orchestrator.contracts import ToolErrorCode
from orchestrator.deadline import LingeringTasks
from orchestrator.errors import ToolError
from orchestrator.tools import aclose_tools, build_tools
from scenarios.runner.exchange import exchange
from scenarios.runner.service_client import service_client
from vocabulary import Phase

pytestmark = pytest.mark.integration


@dataclass
class SpoolOnly:
    """The one part of a world `spool_disk_full` touches."""

    audit_spool_dir: Path


def test_spool_disk_full_refuses_to_acknowledge_and_loses_nothing_spooled_before(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    spool = tmp_path / "audit-spool"
    fault = parse_fault({"kind": "spool_disk_full"})
    with mounted_spool(spool) as problem:
        if problem is not None:  # no mount allowed here: the fault must say so, plainly
            assert fault.unavailable_on(SpoolOnly(spool)) is not None
            with pytest.raises(FaultInjectionError, match="not a filesystem of its own"):
                fault.apply(SpoolOnly(spool)).__enter__()
            return
        message, code = asyncio.run(_spool_across_a_full_disk(postgres, spool, fault))
        assert not (spool / FILLER_NAME).exists()
    assert code is ToolErrorCode.INTERNAL_ERROR and "No space left on device" in message
    with psycopg.connect(postgres.dsn("ops", postgres.superuser)) as conn:
        ids = conn.execute(
            "SELECT request_id FROM ops.audit_log WHERE request_id LIKE 'full-%' ORDER BY 1"
        ).fetchall()
    assert [row[0] for row in ids] == ["full-1", "full-3"]


async def _spool_across_a_full_disk(
    postgres: EmbeddedPostgres, spool: Path, fault: Fault
) -> tuple[str, ToolErrorCode]:
    """Spool one record, fill the disk and spool another (refused), free it and spool a
    third; then replay. Returns the refusal's message and code."""
    (audit,) = [
        tool
        for tool in build_tools(
            postgres.dsn("ops", "gauntlet_reader"),
            postgres.dsn("metrics", "gauntlet_reader"),
            postgres.dsn("ops", "gauntlet_auditor"),
            spool_dir=spool,
            lingering=LingeringTasks(),
        )
        if tool.capability.tool_id == "audit"
    ]
    try:
        await audit.fallback({"action": "a"}, call_context("acme", request_id="full-1"))
        await audit.flush_spool()
        assert fault.unavailable_on(SpoolOnly(spool)) is None
        with fault.apply(SpoolOnly(spool)), pytest.raises(ToolError) as refused:
            await audit.fallback({"action": "a"}, call_context("acme", request_id="full-2"))
        await audit.fallback({"action": "a"}, call_context("acme", request_id="full-3"))
        await audit.flush_spool()
        return str(refused.value), refused.value.code
    finally:
        await aclose_tools([audit])


def test_audit_poison_records_are_audited_and_never_block_the_spool(gauntlet) -> None:
    """The poison is an attack on the workload's requests, sent as a scenario sends them."""
    world = gauntlet.world
    attack = parse_fault({"kind": "audit_poison_record", "requests": 2})
    crowd = Crowd(world.tenant_keys, random.Random(7))
    base = PlannedRequest("acme", "service_overview", {"service": "checkout"}, crowd.keys["acme"])
    planned = [attack.rewrite(base, crowd) for _ in range(3)]
    assert [p.attack for p in planned] == ["audit_poison_record"] * 2 + [None]  # at most 2

    async def send_all() -> list:
        async with service_client(world.service_url, timeout_s=30) as client:
            return [
                await exchange(
                    client, p, scenario="t", phase_of=lambda *_: Phase.FAULT, tenants=["acme"]
                )
                for p in planned
            ]

    outcomes = asyncio.run(send_all())
    assert all(o.audit_acknowledged for o in outcomes)  # the poison reached the audit path
    with psycopg.connect(world.admin_dsn) as conn:
        details = conn.execute(
            "SELECT detail::text FROM ops.audit_log WHERE request_id LIKE 'poison-%'"
        ).fetchall()
        after = conn.execute(
            "SELECT count(*) FROM ops.audit_log WHERE request_id = %s",
            [outcomes[-1].observation.request_id],
        ).fetchone()
    assert len(details) >= 2 and all("\ufffd" in row[0] for row in details)
    assert after == (1,)
    assert not (world.audit_spool_dir / "audit-dead-letter.jsonl").exists()
