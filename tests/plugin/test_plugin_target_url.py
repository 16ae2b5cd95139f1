"""`--gauntlet-target-url`: a service that is already running, its upstreams declared.

The service here is the reference orchestrator on a seeded Postgres, started by the test
itself; once wired through the proxies Gauntlet prints (fixed listen ports), and once
wired straight to Postgres, which the proxy check must catch before any test runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from chaos import schema
from chaos.postgres import free_tcp_port
from chaos.world import World, open_world
from load.target_process import REFERENCE_COMMAND, running_target

pytestmark = pytest.mark.integration

TEAM_TEST = """
def test_a_metrics_outage_is_reported_as_partial(gauntlet, fault):
    with fault("down", upstream="metrics"):
        answer = gauntlet.orchestrate("acme", "service_overview", service="checkout")
    assert answer.observation.status == "partial", answer.body
"""


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with open_world() as opened:
        yield opened


def _dsn(world: World, database: str, role: str, port: int | None) -> str:
    direct = urlsplit(world.postgres.dsn(database, role))
    if port is None:
        return direct.geturl()
    credentials = direct.netloc.rpartition("@")[0]
    return urlunsplit(direct._replace(netloc=f"{credentials}@127.0.0.1:{port}"))


def _team_run(world: World, tmp_path: Path, through_proxies: bool) -> str:
    ops_port, metrics_port = free_tcp_port(), free_tcp_port()
    env = {
        "GAUNTLET_OPS_DSN": _dsn(world, schema.OPS_DB, schema.READER, ops_port),
        "GAUNTLET_METRICS_DSN": _dsn(world, schema.METRICS_DB, schema.READER, metrics_port),
        "GAUNTLET_AUDIT_DSN": _dsn(world, schema.OPS_DB, schema.AUDITOR, ops_port),
        "GAUNTLET_API_KEYS": json.dumps(world.api_key_table),
        "GAUNTLET_SPOOL_DIR": str(tmp_path / "spool"),
    }
    if not through_proxies:  # wired straight to Postgres, as a misconfigured service would be
        for name in ("GAUNTLET_OPS_DSN", "GAUNTLET_AUDIT_DSN", "GAUNTLET_METRICS_DSN"):
            env[name] = _dsn(world, *_direct[name], None)
    (tmp_path / "test_team.py").write_text(TEAM_TEST)
    postgres = f"{world.postgres.host}:{world.postgres.port}"

    async def run() -> str:
        async with running_target(REFERENCE_COMMAND, env, log_path=tmp_path / "sut.log") as sut:
            argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-s"]
            argv += [str(tmp_path / "test_team.py"), "--rootdir", str(tmp_path)]
            argv += ["--gauntlet-target-url", sut.url]
            argv += ["--gauntlet-upstream", f"ops={postgres}@{ops_port}"]
            argv += ["--gauntlet-upstream", f"metrics={postgres}@{metrics_port}"]
            done = await asyncio.to_thread(
                subprocess.run,
                argv,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=240,
                env={**os.environ, "GAUNTLET_API_KEYS": env["GAUNTLET_API_KEYS"]},
            )
            return f"exit {done.returncode}\n{done.stdout}{done.stderr}"

    return asyncio.run(run())


_direct = {
    "GAUNTLET_OPS_DSN": (schema.OPS_DB, schema.READER),
    "GAUNTLET_METRICS_DSN": (schema.METRICS_DB, schema.READER),
    "GAUNTLET_AUDIT_DSN": (schema.OPS_DB, schema.AUDITOR),
}


def test_a_running_service_wired_through_the_proxies_is_tested(
    world: World, tmp_path: Path
) -> None:
    output = _team_run(world, tmp_path, through_proxies=True)
    assert output.startswith("exit 0"), output
    assert "metrics: point the system at 127.0.0.1:" in output


def test_a_running_service_that_bypasses_the_proxies_is_stopped_with_a_plain_reason(
    world: World, tmp_path: Path
) -> None:
    output = _team_run(world, tmp_path, through_proxies=False)
    assert not output.startswith("exit 0"), output
    assert "does not go through Gauntlet's proxy" in output
    assert "every ops fault would be a no-op" in output
