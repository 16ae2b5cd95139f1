"""A master and workers started as separate commands, joining by address on loopback."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from chaos import free_loopback_port
from vocabulary.segment_format import observations_of
from vocabulary.segment_writer import segment_files

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PROFILE = """\
name: distributed-check
duration: 8s
shape: {kind: soak, users: 4, spawn_rate: 4}
intents:
  - {intent: service_overview, weight: 3, parameters: {service: checkout}}
  - {intent: incident_triage, weight: 1, parameters: {service: payments}}
tenants: [acme, globex]
"""


def _three_free_ports() -> int:
    """A port P with P, P+1 and P+2 free (the master's collector, Locust, the service)."""
    for _ in range(50):
        port = free_loopback_port()
        if port > 65533:
            continue
        try:
            for offset in range(3):
                with socket.socket() as sock:
                    sock.bind(("0.0.0.0", port + offset))
        except OSError:
            continue
        return port
    raise RuntimeError("no three consecutive free ports")


def _gauntlet(*args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scenarios.cli", *args],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def test_a_master_and_two_workers_merge_every_observation(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE)
    out = tmp_path / "out"
    port = _three_free_ports()
    master = _gauntlet(
        "load", "--profile", str(profile), "--expect-workers", "2", "--master-port", str(port),
        "--out", str(out), log=tmp_path / "master.log",
    )  # fmt: skip
    workers = [
        _gauntlet("worker", "--master", f"127.0.0.1:{port}", log=tmp_path / f"worker{i}.log")
        for i in (1, 2)
    ]
    try:
        master_exit = master.wait(timeout=240)
        worker_exits = [worker.wait(timeout=60) for worker in workers]
    finally:
        for process in (master, *workers):
            if process.poll() is None:
                process.kill()
    master_log = (tmp_path / "master.log").read_text()
    assert master_exit in (0, 1), master_log  # the gate's verdict, not an error
    assert worker_exits == [0, 0], [(tmp_path / f"worker{i}.log").read_text() for i in (1, 2)]

    note = json.loads((out / "load.json").read_text())
    per_worker = note["observations_per_worker"]
    assert len(per_worker) == 2 and all(count > 0 for count in per_worker.values()), note
    # What each worker says it sent, what Locust saw there, and what arrived: all equal,
    # and together the merged total.
    assert per_worker == note["sent_per_worker"] == note["locust_request_events_per_worker"]
    assert sum(per_worker.values()) == note["merged_observations"]
    records = [o for path in segment_files(out / "observations") for o in observations_of(path)]
    by_worker = Counter(o.extra["worker"] for o in records)
    assert dict(by_worker) == per_worker and len(records) == note["merged_observations"]
    assert len({o.request_id for o in records}) == len(records)
    checks = {
        c["name"]: c["passed"] for c in json.loads((out / "report.json").read_text())["checks"]
    }
    assert checks["no request lost"] and checks["every worker delivered its final batch"]
    assert checks["no request counted twice"]
    assert "gauntlet worker --master" in master_log


def test_a_worker_with_no_master_says_so_in_one_line() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "scenarios.cli", "worker", "--master", f"127.0.0.1:{port}",
         "--wait", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert f"no Gauntlet master answers at 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "scenarios.cli", "worker", "--master", "nohost"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2 and "expected HOST:PORT" in bad.stderr


def test_a_master_stopped_while_it_waits_for_workers_reports_and_exits_130(
    tmp_path: Path,
) -> None:
    out, log = tmp_path / "out", tmp_path / "master.log"
    port = _three_free_ports()
    master = _gauntlet(
        "load", "--profile", "spike", "--expect-workers", "1", "--master-port", str(port),
        "--out", str(out), log=log,
    )  # fmt: skip
    try:
        while "waiting for 1 worker(s)" not in log.read_text():
            assert master.poll() is None, log.read_text()
            time.sleep(0.2)
        master.send_signal(signal.SIGTERM)  # e.g. a cancelled CI job: the same as Ctrl-C
        exit_code = master.wait(timeout=120)
    finally:
        if master.poll() is None:
            master.kill()
    assert exit_code == 130 and "Traceback" not in log.read_text(), log.read_text()
    report = json.loads((out / "report.json").read_text())
    assert report["interrupted"] and report["observations"] == 0


@pytest.mark.parametrize("taken", [0, 1], ids=["collector port", "Locust's port"])
def test_a_taken_master_port_is_one_line_and_exit_3(tmp_path: Path, taken: int) -> None:
    port = _three_free_ports()
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", port + taken))
        busy.listen()
        result = subprocess.run(
            [sys.executable, "-m", "scenarios.cli", "load", "--profile", "spike",
             "--expect-workers", "1", "--master-port", str(port), "--out", str(tmp_path)],
            cwd=ROOT, capture_output=True, text=True, timeout=240,
        )  # fmt: skip
    ours = [line for line in result.stderr.splitlines() if line.startswith("gauntlet load: inf")]
    assert result.returncode == 3 and len(ours) == 1, result.stderr
    assert "Address already in use" in ours[0] and str(port + taken) in ours[0]
    assert "Traceback" not in result.stderr
