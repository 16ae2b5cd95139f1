"""Exactly once under tiny deadlines: hundreds of requests whose `deadline_seconds` ends
while their audit call is connecting, inserting or committing. Whatever the answer says,
no acknowledged record is lost and none is written twice (the reference service as a
child process, on a real Postgres; the spool's replay is waited for)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from chaos import free_loopback_port
from chaos.postgres import EmbeddedPostgres

pytestmark = pytest.mark.integration

KEY = "gk_tiny_deadlines_acme_0123456789"
REQUESTS = 400
IN_FLIGHT = 12
SQL = "SELECT service, owner_team FROM ops.services ORDER BY service"


@pytest.fixture
def service(postgres: EmbeddedPostgres, tmp_path: Path) -> Iterator[str]:
    port = free_loopback_port()
    env = {
        **os.environ,
        "GAUNTLET_OPS_DSN": postgres.dsn("ops", "gauntlet_reader"),
        "GAUNTLET_METRICS_DSN": postgres.dsn("metrics", "gauntlet_reader"),
        "GAUNTLET_AUDIT_DSN": postgres.dsn("ops", "gauntlet_auditor"),
        "GAUNTLET_API_KEYS": json.dumps({KEY: "acme"}),
        "GAUNTLET_SPOOL_DIR": str(tmp_path / "spool"),
        "GAUNTLET_REQUEST_DEADLINE_SECONDS": "5",
        "PORT": str(port),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "orchestrator.service"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    said: list[str] = []
    assert child.stdout is not None
    threading.Thread(target=lambda: said.extend(child.stdout), daemon=True).start()  # type: ignore[arg-type]
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, child, said)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _wait_healthy(url: str, child: subprocess.Popen[str], said: list[str]) -> None:
    for _ in range(300):
        if child.poll() is not None:
            pytest.fail(f"the service exited: {''.join(said)}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the service never became healthy: {''.join(said)}")


async def _send_all(url: str, run: str) -> list[tuple[str, bool, int]]:
    """(request id, audit acknowledged, HTTP status) of each request, tiny deadlines."""
    rng = random.Random(21)
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(client: httpx.AsyncClient, n: int) -> tuple[str, bool, int]:
        request_id = f"{run}-{n}"
        body = {
            "tenant_id": "acme",
            "intent": "ad_hoc_query",
            "parameters": {"sql": SQL},
            "request_id": request_id,
            "deadline_seconds": round(rng.uniform(0.004, 0.05), 4),
        }
        async with gate:
            answer = await client.post("/v1/orchestrate", json=body, headers={"X-API-Key": KEY})
        if answer.status_code != 200:
            return request_id, False, answer.status_code
        results = answer.json()["results"]
        acknowledged = any(r["tool_id"] == "audit" and r["success"] for r in results)
        return request_id, acknowledged, 200

    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
        return await asyncio.gather(*(one(client, n) for n in range(REQUESTS)))


def _rows(postgres: EmbeddedPostgres, run: str) -> dict[str, int]:
    with psycopg.connect(postgres.dsn("ops", postgres.superuser)) as conn:
        rows = conn.execute(
            "SELECT request_id, count(*) FROM ops.audit_log WHERE request_id LIKE %s "
            "GROUP BY request_id",
            [run + "-%"],
        )
        return dict(rows.fetchall())


def test_no_acknowledged_record_is_lost_or_doubled_under_tiny_deadlines(
    postgres: EmbeddedPostgres, service: str
) -> None:
    run = f"tiny-{time.time_ns()}"
    answers = asyncio.run(_send_all(service, run))
    acknowledged = {request_id for request_id, acked, _ in answers if acked}
    assert {status for _, _, status in answers} == {200}
    # some audits met their deadline, some did not: the race was run, both ways
    assert 0 < len(acknowledged) < REQUESTS, len(acknowledged)
    deadline = time.monotonic() + 15.0  # a spooled record lands when the spool replays
    while True:
        rows = _rows(postgres, run)
        lost = sorted(acknowledged - set(rows))
        if not lost or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    doubled = sorted(request_id for request_id, n in rows.items() if n > 1)
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged records lost: {lost[:5]}"
    assert not doubled, f"{len(doubled)} records written twice: {doubled[:5]}"
