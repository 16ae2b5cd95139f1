"""`gauntlet run --promises FILE` end to end, on real Postgres and real Toxiproxy: a system
is judged by what it declares, and where it declares nothing only the universal promises
are judged (the rest is listed as not judged, never a pass and never a fail)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.spec.loader import BUILTIN_SUITES_DIR

GAUNTLET = Path(sys.executable).parent / "gauntlet"
SHARE_SCENARIO = BUILTIN_SUITES_DIR / "core" / "25-bulkhead-tenant-share.yaml"
SMALL_RUN_SLO = """\
name: one-scenario
min_samples: 10
on_inconclusive: warn
filters: {source: scenario}
objectives:
  - {name: answered, ratio: answered, min: 0.9}
"""


def _run(tmp_path: Path, *arguments: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    slo = tmp_path / "slo.yaml"
    slo.write_text(SMALL_RUN_SLO)
    out = tmp_path / "report"
    command = [str(GAUNTLET), "run", "--slo", str(slo), "--out", str(out), *arguments]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=240, env={**os.environ, "COLUMNS": "200"}
    )
    return done, out


@pytest.mark.integration
def test_a_system_is_judged_by_the_bulkhead_it_declares(tmp_path: Path) -> None:
    # The reference holds five of direct_query's slots per tenant; this file declares one.
    # The scenario paces itself for one slot (4 requests a second), which the reference
    # admits without refusing: its declared bulkhead never acts, and that fails.
    wrong = tmp_path / "promises.yaml"
    wrong.write_text("bulkheads: {direct_query: {slots: 2}}\ntenant_share: 0.5\n")
    done, out = _run(tmp_path, "--scenario", str(SHARE_SCENARIO), "--promises", str(wrong))
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]
    report = json.loads((out / "report.json").read_text())
    assert report["promises"] == str(wrong) and report["not_judged"] == []
    checks = {check["name"]: check for check in report["checks"]}
    refusals = checks["tool_errors [fault]"]
    assert not refusals["passed"] and "never failed" in refusals["detail"], refusals
    assert checks["status"]["passed"] and checks["no_cross_tenant_data"]["passed"]
    sent = (out / "observations.jsonl").read_text().count("\n")
    assert sent <= 7 * 4 + 8, sent  # paced for the declared slot, not the reference's 20/s
    assert f"promises: {wrong}" in output


@pytest.mark.integration
def test_declaring_nothing_leaves_the_knob_unjudged_and_the_universal_promises_judged(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "promises.yaml"
    empty.write_text("# this system declares no knob\n")
    done, out = _run(tmp_path, "--scenario", str(SHARE_SCENARIO), "--promises", str(empty))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    report = json.loads((out / "report.json").read_text())
    why = "the system declares no bulkhead for direct_query"
    assert report["not_judged"] == [
        {"group": "bulkhead-tenant-share", "name": "tool_errors [fault]", "reason": why}
    ]
    judged = {check["name"]: check["passed"] for check in report["checks"]}
    assert judged == {"status": True, "no_cross_tenant_data": True, "audit_exactly_once": True}
    assert report["schema_minor"] == 2 and report["promises"] == str(empty)
    line = f"not judged: bulkhead-tenant-share: tool_errors [fault]: {why}"
    assert line in output and "3/3 checks held, 1 not judged" in output
    assert f"bulkhead-tenant-share: tool_errors [fault]: {why}" in (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    assert "1 not judged" in html and why in html


def test_a_bad_promises_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "promises.yaml"
    bad.write_text("request_deadline_seconds: 5\nbreaker: {failure_threshold: 4, cool_down: 2}\n")
    for command in (
        ["validate", "--promises", str(bad), str(SHARE_SCENARIO)],
        ["run", "--promises", str(bad), "--scenario", str(SHARE_SCENARIO)],
        ["load", "--profile", "spike", "--promises", str(bad)],
    ):
        done = subprocess.run(
            [str(GAUNTLET), *command], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 2, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert f"{bad}:2: field 'breaker" in line and "cool_down" in line, line
        assert "Traceback" not in done.stderr


def test_validate_says_what_a_system_declaring_nothing_leaves_unjudged(tmp_path: Path) -> None:
    empty = tmp_path / "promises.json"
    empty.write_text("{}")
    done = subprocess.run(
        [str(GAUNTLET), "validate", "--promises", str(empty), str(SHARE_SCENARIO)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "1 not judged: the system declares no bulkhead for direct_query" in done.stdout
