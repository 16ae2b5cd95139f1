"""Ctrl-C keeps the data true: a real `gauntlet run` in a subprocess, real signals.

One SIGINT stops sending: requests in flight are answered and recorded, the faults roll
back, report.json says `interrupted: true`. Two SIGINTs 0.3 s apart abandon what is in
flight (counted as interrupted, never recorded as `failed`) and the process exits: the
`communicate` timeout below only catches a hang, it is not a speed assertion.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

GAUNTLET = Path(sys.executable).parent / "gauntlet"

SCENARIO = """\
name: interrupted-under-latency
description: a long latency fault that Ctrl-C cuts short
workload:
  intents: [{intent: service_overview, parameters: {service: checkout}}]
  tenants: [acme, globex]
  requests: 100000          # a count is never cut short by a decided phase: Ctrl-C ends it
  concurrency: 4
  rate: 20/s
faults:
  - {fault: {kind: latency, upstream: metrics, latency_ms: 1500}, start: 1s}
expectations:
  - {status: {failed: "<= 0"}}
"""

SLO = """\
name: interrupts
on_inconclusive: warn
filters: {source: scenario}
objectives:
  - {name: answered, ratio: answered, min: 0.9}
"""


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    (tmp_path / "s.yaml").write_text(SCENARIO)
    (tmp_path / "slo.yaml").write_text(SLO)
    out = tmp_path / "report"
    command = [str(GAUNTLET), "run", "--scenario", str(tmp_path / "s.yaml")]
    command += ["--slo", str(tmp_path / "slo.yaml"), "--out", str(out)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    return process, out


def _wait_for_requests_in_flight_under_the_fault(process: subprocess.Popen[str], out: Path) -> None:
    deadline = time.monotonic() + 120
    observations = out / "observations.jsonl"
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0][-3000:]
        if observations.exists() and '"phase":"fault"' in observations.read_text():
            time.sleep(0.5)  # new requests are in flight, each held 1.5 s by the fault
            return
        time.sleep(0.1)
    raise AssertionError("no request was observed under the fault")


def _finish(process: subprocess.Popen[str]) -> str:
    try:
        output, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError("gauntlet run hung after Ctrl-C:\n" + output[-3000:]) from None
    return output


def _records(out: Path) -> list[dict[str, object]]:
    lines = (out / "observations.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.integration
def test_one_ctrl_c_answers_the_requests_in_flight_and_reports_interrupted(
    tmp_path: Path,
) -> None:
    process, out = _start(tmp_path)
    _wait_for_requests_in_flight_under_the_fault(process, out)
    os.kill(process.pid, signal.SIGINT)
    output = _finish(process)
    assert process.returncode == 130, output[-3000:]
    assert "Traceback" not in output and "never retrieved" not in output, output[-3000:]
    records = _records(out)
    assert records and not [r for r in records if r["status"] == "failed"], records[-5:]
    report = json.loads((out / "report.json").read_text())
    assert report["interrupted"] is True
    assert report["interrupted_requests"] == 0  # each one in flight was answered
    assert report["fault_windows"] and all(w["end"] for w in report["fault_windows"])


@pytest.mark.integration
def test_two_ctrl_c_abandon_what_is_in_flight_and_exit_without_hanging(tmp_path: Path) -> None:
    process, out = _start(tmp_path)
    _wait_for_requests_in_flight_under_the_fault(process, out)
    os.kill(process.pid, signal.SIGINT)
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGINT)
    output = _finish(process)
    assert process.returncode == 130, output[-3000:]
    assert "Traceback" not in output and "never retrieved" not in output, output[-3000:]
    records = _records(out)
    assert not [r for r in records if r["status"] == "failed"], records[-5:]
    report = json.loads((out / "report.json").read_text())
    assert report["interrupted"] is True
    # requests still in flight at the second press are counted here, not recorded (how many
    # there are depends on whether the breaker had opened: it is not asserted)
    assert report["interrupted_requests"] >= 0
