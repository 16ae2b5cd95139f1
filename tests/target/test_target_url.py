"""A system that is already running (`--target-url`), its upstreams declared (`--upstream`):
through `gauntlet run` and through the pytest plugin. The service is the reference
orchestrator on a seeded Postgres, started by the test itself: once wired through the
proxies Gauntlet puts up (fixed listen ports), once wired straight to Postgres, which the
proxy check must catch before any fault."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from remote_service import RemoteService

from chaos.world import World, open_world
from target.command import REFERENCE_COMMAND, running_target

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
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


def _against_running_service(service: RemoteService, tmp_path: Path, argv: list[str]) -> str:
    """Start the service, run `argv` (+ --target-url URL) against it; exit code and output.

    For pytest the options carry the plugin's `--gauntlet-` prefix."""
    prefix = "--gauntlet-" if "pytest" in argv else "--"
    upstreams = [a.replace("--", prefix, 1) for a in service.upstream_args]

    async def run() -> str:
        async with running_target(
            REFERENCE_COMMAND, service.env, log_path=tmp_path / "sut.log"
        ) as sut:
            done = await asyncio.to_thread(
                subprocess.run,
                [*argv, f"{prefix}target-url", sut.url, *upstreams],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=240,
                env={**os.environ, "GAUNTLET_API_KEYS": service.env["GAUNTLET_API_KEYS"]},
            )
            return f"exit {done.returncode}\n{done.stdout}{done.stderr}"

    return asyncio.run(run())


def _plugin_argv(tmp_path: Path) -> list[str]:
    (tmp_path / "test_team.py").write_text(TEAM_TEST)
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-s"] + [
        str(tmp_path / "test_team.py"),
        "--rootdir",
        str(tmp_path),
    ]


def _run_argv(tmp_path: Path) -> list[str]:
    return [sys.executable, "-m", "scenarios.cli", "run", "--only", "metrics-latency-cascade"] + [
        "--out",
        str(tmp_path / "reports"),
    ]


def test_the_plugin_tests_a_running_service_wired_through_the_proxies(
    world: World, tmp_path: Path
) -> None:
    service = RemoteService(world, tmp_path / "spool", through_proxies=True)
    output = _against_running_service(service, tmp_path, _plugin_argv(tmp_path))
    assert output.startswith("exit 0"), output
    assert f"metrics: point the system at 127.0.0.1:{service.listen['metrics']}" in output


def test_the_plugin_stops_a_service_that_bypasses_the_proxies_with_a_plain_reason(
    world: World, tmp_path: Path
) -> None:
    service = RemoteService(world, tmp_path / "spool", through_proxies=False)
    output = _against_running_service(service, tmp_path, _plugin_argv(tmp_path))
    assert not output.startswith("exit 0"), output
    assert "does not go through Gauntlet's proxy" in output
    assert "every ops fault would be a no-op" in output


def test_run_judges_a_running_service_through_the_proxies(world: World, tmp_path: Path) -> None:
    service = RemoteService(world, tmp_path / "spool", through_proxies=True)
    output = _against_running_service(service, tmp_path, _run_argv(tmp_path))
    # Every scenario check held but the audit count: Gauntlet cannot read the database of
    # a system it did not start, and says so rather than pass it unchecked.
    report = json.loads((tmp_path / "reports" / "report.json").read_text())
    unsettled = [f"{c['group']}: {c['name']}" for c in report["checks"] if not c["passed"]]
    assert unsettled == ["metrics-latency-cascade: audit_exactly_once"], output
    audit = [c for c in report["checks"] if c["name"] == "audit_exactly_once"]
    assert [c["detail"] for c in audit] == ["audit records were not counted"]
    assert (tmp_path / "reports" / "observations.jsonl").stat().st_size > 0
    assert f"ops: point the system at 127.0.0.1:{service.listen['ops']}" in output


def test_run_refuses_a_service_that_bypasses_the_proxies_with_exit_3(
    world: World, tmp_path: Path
) -> None:
    service = RemoteService(world, tmp_path / "spool", through_proxies=False)
    output = _against_running_service(service, tmp_path, _run_argv(tmp_path))
    assert output.startswith("exit 3"), output
    assert "bypasses Gauntlet" in output and "every metrics fault would be a no-op" in output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--target-url", "http://127.0.0.1:1"], "needs at least one --upstream"),
        (["--upstream", "ops=db:5432"], "--upstream only applies with --target-url"),
        (
            [
                "--target-url",
                "http://x",
                "--upstream",
                "ops=db:5432",
                "--only",
                "database-down-degraded",
            ],
            "need Gauntlet's own Postgres",
        ),
        (
            ["--target-url", "http://x", "--upstream", "cache=db:1"]
            + ["--only", "metrics-reset-peer"],
            "unknown upstream 'metrics'",
        ),
    ],
)
def test_remote_options_are_checked_before_anything_starts(args: list[str], expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scenarios.cli", "run", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "GAUNTLET_API_KEYS": '{"k": "acme"}'},
    )
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr and "Traceback" not in done.stderr
