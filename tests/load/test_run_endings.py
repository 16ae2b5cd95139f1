"""How a real load run ends: the UI with its shape, a stop condition, Ctrl-C; always reported."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from load.control.runner import LoadRunOptions, run_load
from load.inputs.profile import load_profile
from vocabulary.segment_format import observations_of

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _profile(tmp_path: Path, duration: str, extra: str = "") -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(
        f"name: endings\nduration: {duration}\nshape: {{kind: soak, users: 2, spawn_rate: 2}}\n"
        "intents: [{intent: service_overview, parameters: {service: checkout}}]\n"
        f"tenants: [acme]\n{extra}"
    )
    return path


def _quiet() -> Console:
    return Console(file=open("/dev/null", "w"))


def _checks(out: Path) -> dict[str, bool]:
    report = json.loads((out / "report.json").read_text())
    return {check["name"]: check["passed"] for check in report["checks"]}


def _interrupted(out: Path) -> bool:
    return json.loads((out / "report.json").read_text())["interrupted"]


def test_the_web_ui_ends_with_its_shape_and_writes_the_report(tmp_path: Path) -> None:
    result = run_load(
        LoadRunOptions(
            profile=load_profile(_profile(tmp_path, "6s")),
            out_dir=tmp_path / "out",
            web_ui=True,
            console=_quiet(),
        )
    )
    assert result.locust_exit == 0 and not result.interrupted
    assert result.merge.count and (result.out_dir / "report.html").stat().st_size > 0
    assert _checks(result.out_dir)["no request lost"] and not _interrupted(result.out_dir)


def test_a_stop_condition_ends_the_run_early_with_the_report(tmp_path: Path) -> None:
    # Any real answer takes more than a millisecond: this condition trips as soon as it can.
    stop = "stop_conditions:\n  - {latency_above: 1ms, min_requests: 3, window: 5s}\n"
    result = run_load(
        LoadRunOptions(
            profile=load_profile(_profile(tmp_path, "120s", stop)),
            out_dir=tmp_path / "out",
            console=_quiet(),
        )
    )
    assert result.outcome.tripped is not None and result.outcome.tripped.index == 0
    observations = [o for path in result.merge.segments for o in observations_of(path)]
    assert observations and observations[-1].ts - observations[0].ts < 60  # not the full 120 s
    checks = _checks(result.out_dir)
    assert checks["no stop condition tripped"] is False and result.exit_code == 1
    assert _interrupted(result.out_dir)  # it ended before its shape did
    assert checks["no request lost"] and checks["every worker delivered its final batch"]
    note = json.loads((result.out_dir / "load.json").read_text())
    assert note["stopped_by"].startswith("stop condition 0 tripped: p95 latency")


def test_ctrl_c_stops_every_worker_and_still_reports_every_observation(tmp_path: Path) -> None:
    out = tmp_path / "out"
    log = tmp_path / "load.log"
    command = [sys.executable, "-m", "scenarios.cli", "load", "--out", str(out)]
    command += ["--profile", str(_profile(tmp_path, "120s")), "--processes", "2"]
    harness = subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        # a worker's first segment closes a minute into its traffic (or after 100,000)
        while not list((out / "workers").glob("observations-*.parquet")):
            assert harness.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        time.sleep(2)  # both workers under way
        harness.send_signal(signal.SIGINT)
        exit_code = harness.wait(timeout=120)
    finally:
        if harness.poll() is None:
            harness.kill()
    assert exit_code == 130, log.read_text()
    checks = _checks(out)
    assert checks["run completed"] is False and _interrupted(out)
    assert checks["no request lost"] and checks["every worker delivered its final batch"]
    note = json.loads((out / "load.json").read_text())
    assert note["interrupted"] and len(note["observations_per_worker"]) == 2
    assert note["observations_per_worker"] == note["sent_per_worker"]
    assert sum(note["observations_per_worker"].values()) == note["merged_observations"] > 0
    assert "Traceback" not in log.read_text()
