"""The audit findings of the security review, each reproduced on a real Postgres."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest
from data_world import call_context

from chaos.postgres import EmbeddedPostgres
from orchestrator.contracts import OrchestrationRequest
from orchestrator.deadline import LingeringTasks
from orchestrator.executor import Orchestrator
from orchestrator.intents import register_ops_intents
from orchestrator.planner import Planner
from orchestrator.tools import aclose_tools, build_tools
from orchestrator.tools._audit import AuditTool
from orchestrator.tools._audit_spool import AuditSpool

pytestmark = pytest.mark.integration

DEAD_LETTER = "audit-dead-letter.jsonl"


def _tools(postgres: EmbeddedPostgres, spool_dir: Path) -> list:
    return build_tools(
        postgres.dsn("ops", "gauntlet_reader"),
        postgres.dsn("metrics", "gauntlet_reader"),
        postgres.dsn("ops", "gauntlet_auditor"),
        spool_dir=spool_dir,
        connect_timeout=1.0,
        lingering=LingeringTasks(),
    )


def _audit(tools: list) -> AuditTool:
    return next(tool for tool in tools if tool.capability.tool_id == "audit")


def _rows(postgres: EmbeddedPostgres, prefix: str) -> list[tuple[str, str, str, dict]]:
    with psycopg.connect(postgres.dsn("ops", postgres.superuser)) as conn:
        return conn.execute(
            "SELECT tenant_id, request_id, action, detail FROM ops.audit_log "
            "WHERE request_id LIKE %s ORDER BY tenant_id, request_id",
            [prefix + "%"],
        ).fetchall()


def test_a_poison_record_is_dead_lettered_and_never_blocks_the_queue(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    tools = _tools(postgres, tmp_path)
    audit = _audit(tools)

    async def scenario() -> tuple[list, int]:
        try:
            answers = [
                await audit.fallback(
                    {"action": "q", "detail": {"sql": "SELECT 1 -- \ud800"}},
                    call_context("acme", request_id="poison-1"),
                ),
                await audit.fallback(
                    {"action": "q", "detail": {"note": "a\u0000b"}},
                    call_context("acme", request_id="poison-2"),
                ),
            ]
            # A record Postgres refuses however it is escaped: a time out of its range.
            audit.spool.append(
                {"request_id": "poison-3", "tenant_id": "acme", "action": "q", "detail": {}}
                | {"at": 1e300}
            )
            answers.append(
                await audit.fallback({"action": "q"}, call_context("acme", request_id="poison-4"))
            )
            replayed = await audit.flush_spool()
            return answers, replayed
        finally:
            await aclose_tools(tools)

    answers, replayed = asyncio.run(scenario())
    assert all(answer["spooled"] for answer in answers)
    rows = _rows(postgres, "poison-")
    assert [row[1] for row in rows] == ["poison-1", "poison-2", "poison-4"]
    assert rows[0][3] == {"sql": "SELECT 1 -- \ufffd"} and rows[1][3] == {"note": "a\ufffdb"}
    assert replayed <= 3  # the background replayer may have taken some first
    dead = (tmp_path / DEAD_LETTER).read_text(encoding="utf-8")
    assert "poison-3" in dead and "poison-4" not in dead
    assert not AuditSpool(tmp_path).has_pending()


def test_one_tenant_cannot_squat_another_tenants_request_id(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    tools = _tools(postgres, tmp_path)
    audit = _audit(tools)

    async def scenario() -> dict:
        try:
            await audit.run({"action": "squat"}, call_context("globex", request_id="shared-1"))
            return await audit.run({"action": "own"}, call_context("acme", request_id="shared-1"))
        finally:
            await aclose_tools(tools)

    answer = asyncio.run(scenario())
    assert answer["recorded"] is True
    assert [(row[0], row[2]) for row in _rows(postgres, "shared-")] == [
        ("acme", "own"),
        ("globex", "squat"),
    ]


def _orchestrate(postgres: EmbeddedPostgres, spool_dir: Path, request: OrchestrationRequest):
    planner = Planner()
    register_ops_intents(planner)
    orchestrator = Orchestrator(
        _tools(postgres, spool_dir), lingering=LingeringTasks(), planner=planner
    )

    async def scenario():
        try:
            return await orchestrator.orchestrate(request)
        finally:
            await orchestrator.aclose()

    return asyncio.run(scenario())


def test_an_explicit_plan_without_an_audit_call_is_still_audited(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    plan = {
        "stages": [
            {
                "calls": [
                    {"call_id": "q", "tool_id": "direct_query", "arguments": {"sql": "SELECT 1"}}
                ]
            }
        ]
    }
    request = OrchestrationRequest(tenant_id="acme", request_id="bypass-1", plan=plan)
    response = _orchestrate(postgres, tmp_path, request)
    assert response.status == "success"
    rows = _rows(postgres, "bypass-")
    assert [(row[0], row[2]) for row in rows] == [("acme", "explicit_plan")]
    assert rows[0][3]["calls"][0]["arguments"] == {"sql": "SELECT 1"}


def test_the_caller_cannot_choose_the_audit_action_or_detail(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    forged = {"action": "login", "detail": {"user": "someone-else"}}
    plan = {"stages": [{"calls": [{"call_id": "a", "tool_id": "audit", "arguments": forged}]}]}
    request = OrchestrationRequest(tenant_id="acme", request_id="forge-1", plan=plan)
    response = _orchestrate(postgres, tmp_path, request)
    assert response.status == "failed" and "audit" in (response.error_message or "")
    assert all(row[2] != "login" for row in _rows(postgres, "forge-"))


def test_the_audit_detail_is_derived_from_the_request(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    request = OrchestrationRequest(
        tenant_id="globex",
        request_id="derived-1",
        intent="ad_hoc_query",
        parameters={"sql": "SELECT count(*) FROM ops.services"},
    )
    assert _orchestrate(postgres, tmp_path, request).status == "success"
    rows = _rows(postgres, "derived-")
    assert [(row[0], row[2]) for row in rows] == [("globex", "ad_hoc_query")]
    assert rows[0][3]["parameters"] == {"sql": "SELECT count(*) FROM ops.services"}


def test_a_torn_write_loses_neither_of_its_neighbours(tmp_path: Path) -> None:
    spool = AuditSpool(tmp_path)
    spool.append({"request_id": "r1"})
    with open(spool.path, "ab") as crashed:  # the process died inside this write
        crashed.write(b'00000000 {"request_id": "torn"')
    spool.append({"request_id": "r2"})
    assert [r["request_id"] for r in spool.pending_records()] == ["r1", "r2"]


def test_a_short_write_is_not_acknowledged(tmp_path: Path) -> None:
    # A file-size limit makes the kernel accept only part of the write: a real short write.
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        from orchestrator.tools._audit_spool import AuditSpool
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        spool = AuditSpool(Path({str(tmp_path)!r}))
        spool.append({{"request_id": "kept"}})
        size = spool.path.stat().st_size
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 20, resource.RLIM_INFINITY))
        try:
            spool.append({{"request_id": "cut", "detail": {{"pad": "x" * 200}}}})
        except OSError as exc:
            print("refused", exc.errno)
        else:
            print("acknowledged")
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
        print(spool.path.stat().st_size == size)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "refused" and done.stdout.split()[-1] == "True"
    assert [r["request_id"] for r in AuditSpool(tmp_path).pending_records()] == ["kept"]


def test_a_line_that_is_not_an_object_never_raises_out_of_the_tool(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    tools = _tools(postgres, tmp_path)
    audit = _audit(tools)
    (tmp_path / "audit-spool.jsonl").write_text('[1, 2]\n"text"\n', encoding="utf-8")

    async def scenario() -> int:
        try:
            await audit.fallback({"action": "after"}, call_context("acme", request_id="shape-1"))
            return await audit.flush_spool()
        finally:
            await aclose_tools(tools)

    asyncio.run(scenario())
    assert [row[1] for row in _rows(postgres, "shape-")] == ["shape-1"]
    assert (tmp_path / DEAD_LETTER).exists()


def test_a_large_backlog_drains_in_the_background(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    backlog = 4_500
    spool = AuditSpool(tmp_path)
    for n in range(backlog):
        spool.append(
            {"request_id": f"backlog-{n}", "tenant_id": "initech", "action": "b", "detail": {}}
            | {"at": time.time()}
        )
    tools = _tools(postgres, tmp_path)
    audit = _audit(tools)

    async def scenario() -> bool:
        try:
            await audit.run({"action": "b"}, call_context("initech", request_id="backlog-live"))
            async with asyncio.timeout(60):  # a deadline for a broken drain, not a speed bar
                while spool.has_pending():
                    await asyncio.sleep(0.2)
            return True
        except TimeoutError:
            return False
        finally:
            await aclose_tools(tools)

    assert asyncio.run(scenario()), "the backlog was never drained"
    assert len(_rows(postgres, "backlog-")) == backlog + 1


def test_records_spooled_as_json_text_survive_a_round_trip(tmp_path: Path) -> None:
    spool = AuditSpool(tmp_path)
    record = {"request_id": "rt", "detail": {"text": 'é \u2028 " \\ \n'}}
    spool.append(record)
    assert spool.pending_records() == [record]
    assert json.loads(json.dumps(record)) == record


def test_a_reused_request_id_is_refused_not_acknowledged(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    """The row kept is the first request's: the second must not read as recorded."""

    def ask(sql: str) -> OrchestrationRequest:
        return OrchestrationRequest(
            tenant_id="acme", request_id="reuse-1", intent="ad_hoc_query", parameters={"sql": sql}
        )

    first = _orchestrate(postgres, tmp_path, ask("SELECT 1 AS first"))
    second = _orchestrate(postgres, tmp_path, ask("SELECT 2 AS second"))
    assert first.status == "success"
    audit = next(r for r in second.results if r.tool_id == "audit")
    assert not audit.success and audit.error_code == "invalid_arguments"
    assert not audit.fallback_used and "already used" in (audit.error_message or "")
    assert second.status == "partial"  # the query ran; its record is refused, and says so
    assert not AuditSpool(tmp_path).has_pending()  # refused, not spooled for later
    rows = _rows(postgres, "reuse-")
    assert [(row[0], row[3]["parameters"]) for row in rows] == [
        ("acme", {"sql": "SELECT 1 AS first"})
    ]


def test_audit_row_ids_tell_a_tenant_nothing_of_the_others_volume(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    tools = _tools(postgres, tmp_path)
    audit = _audit(tools)

    async def scenario() -> None:
        try:
            for n, tenant in enumerate(["acme", "globex", "globex", "globex", "acme"]):
                await audit.run({"action": "q"}, call_context(tenant, request_id=f"volume-{n}"))
        finally:
            await aclose_tools(tools)

    asyncio.run(scenario())
    with psycopg.connect(postgres.dsn("ops", "gauntlet_reader")) as conn:
        conn.execute("SET ROLE gauntlet_tenant_acme")
        conn.execute("SET app.tenant_id = 'acme'")
        ids = conn.execute(
            "SELECT pg_typeof(audit_id)::text, audit_id::text FROM ops.audit_log "
            "WHERE request_id LIKE 'volume-%' ORDER BY request_id"
        ).fetchall()
    # acme sees its own two rows; a shared counter would show a gap of three between them
    assert len(ids) == 2 and {kind for kind, _ in ids} == {"uuid"}
