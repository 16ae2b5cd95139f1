"""`gauntlet run` end to end through the CLI, on real Postgres and real Toxiproxy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import psutil
import psycopg
import pytest

from chaos.postgres._stale import DEFAULT_STATE_DIR as PG_STATE_DIR
from chaos.world import STATE_DIR, open_world
from scenarios.spec.loader import BUILTIN_SUITES_DIR

GAUNTLET = Path(sys.executable).parent / "gauntlet"
CORE = BUILTIN_SUITES_DIR / "core"
REPORT_FILES = ("observations.jsonl", "report.json", "junit.xml", "report.html")

# The release SLO wants hundreds of samples; a two-scenario run is gated on its own checks
# and on every request being answered.
SMALL_RUN_SLO = """\
name: two-scenarios
min_samples: 10
on_inconclusive: warn
filters: {source: scenario}
objectives:
  - {name: answered, ratio: answered, min: 0.9}
"""

LONG_FAULT_SCENARIO = """\
name: interrupted-under-faults
description: a long fault window that SIGINT cuts short
workload:
  intents: [{intent: service_overview, parameters: {service: checkout}}]
  tenants: [acme, globex]
  duration: 60s
  concurrency: 2
  rate: 10/s
faults:
  - {fault: {kind: latency, upstream: metrics, latency_ms: 2000}, start: 1s}
  - fault: {kind: rename_column, table: ops.deployments, column: version, new_name: v_gone}
    start: 1s
"""


@pytest.mark.integration
def test_two_core_scenarios_run_end_to_end_and_leave_every_report(tmp_path: Path) -> None:
    slo = tmp_path / "slo.yaml"
    slo.write_text(SMALL_RUN_SLO)
    out = tmp_path / "report"
    out.mkdir()
    earlier = {"scenario": "an-earlier-run", "status": "failed", "ts": 1.0, "latency_ms": 1.0}
    (out / "observations.jsonl").write_text(json.dumps(earlier) + "\n")  # the folder is reused
    files = [CORE / "15-sql-injection.yaml", CORE / "03-cross-tenant-query.yaml"]
    command = [str(GAUNTLET), "run", "--slo", str(slo), "--out", str(out)]
    for path in files:
        command += ["--scenario", str(path)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=240, env={**os.environ, "COLUMNS": "200"}
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for name in REPORT_FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    observations = [
        json.loads(line) for line in (out / "observations.jsonl").read_text().splitlines()
    ]
    assert {o["scenario"] for o in observations} == {"sql-injection", "cross-tenant-query"}
    assert any(o["source"] == "attack" for o in observations)
    junit = (out / "junit.xml").read_text()
    assert "attacks_contained" in junit and "no_cross_tenant_data" in junit
    scenario_suites = {
        suite.get("name"): float(suite.get("time", "0"))
        for suite in ET.fromstring(junit).iter("testsuite")
        if not str(suite.get("name")).startswith("slo.")
    }
    assert set(scenario_suites) == {"sql-injection", "cross-tenant-query"}
    assert all(seconds > 1.0 for seconds in scenario_suites.values()), scenario_suites


def _command_line(process: psutil.Process) -> str:
    # A short-lived child may have ended (a zombie until reaped) between listing and reading.
    try:
        return " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return ""


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _wait_for_fault_phase(
    observations: Path, process: subprocess.Popen[str], timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "gauntlet run ended before the fault"
        if observations.exists() and '"phase":"fault"' in observations.read_text().replace(" ", ""):
            return
        time.sleep(0.2)
    raise AssertionError("no observation in the fault phase")


@pytest.mark.integration
def test_sigint_during_a_fault_rolls_back_and_leaves_no_child_process(tmp_path: Path) -> None:
    scenario = tmp_path / "long.yaml"
    scenario.write_text(LONG_FAULT_SCENARIO)
    out = tmp_path / "report"
    process = subprocess.Popen(
        [str(GAUNTLET), "run", "--scenario", str(scenario), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for_fault_phase(out / "observations.jsonl", process, timeout_s=90)
        children = _descendants(process.pid)
        names = " ".join(_command_line(child) for child in children)
        assert "toxiproxy-server" in names and "postgres" in names, names
        # Only the harness gets the signal (not its process group), as a supervisor's
        # `kill -INT` would: it must stop its children itself.
        os.kill(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, output[-3000:]
    assert "Traceback" not in output
    last = output.strip().splitlines()[-1]
    assert last == f"gauntlet run: interrupted; faults rolled back, partial results in {out}"
    lines = (out / "observations.jsonl").read_text().splitlines()
    assert lines and all(
        json.loads(line)["scenario"] == "interrupted-under-faults" for line in lines
    )
    assert (out / "report.json").is_file()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
    # Its state records (what a later run would have to clean up) are gone too.
    assert not any(
        json.loads(p.read_text()).get("owner_pid") == process.pid
        for p in PG_STATE_DIR.glob("embedded-*.json")
    )
    toxiproxy_records = [
        record
        for path in (STATE_DIR / "toxiproxy").glob("toxiproxy-servers.json")
        for record in json.loads(path.read_text())
    ]
    assert not [r for r in toxiproxy_records if r["owner_pid"] == process.pid]
    _assert_next_world_is_whole()


def _assert_next_world_is_whole() -> None:
    """Nothing the interrupted run did (toxics, a renamed column) survives into the next world."""
    with open_world() as world:
        for name in ("ops", "metrics"):
            assert world.toxiproxy.toxics(world.proxy_name(name)) == []
            assert world.toxiproxy.proxy(world.proxy_name(name)).enabled
        with psycopg.connect(world.admin_dsn) as conn:
            columns = {
                row[0]
                for row in conn.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'ops' AND table_name = 'deployments'"
                )
            }
    assert "version" in columns and "v_gone" not in columns
