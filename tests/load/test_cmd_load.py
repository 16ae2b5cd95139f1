"""`gauntlet load` refuses bad input with one line and exit code 2, before starting anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scenarios.cli", "load", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--profile", "no-such-profile"], "no such profile file or built-in profile"),
        (["--profile", "spike", "--duration", "0s"], "expected a duration above zero"),
        (
            ["--profile", "spike", "--master-port", "6000"],
            "--master-port needs --expect-workers N",
        ),
        (
            ["--profile", "spike", "--expect-workers", "2", "--processes", "2"],
            "--processes and --expect-workers do not combine",
        ),
        (["--profile", "spike", "--slo", "missing.yaml"], "missing.yaml: SLO file not found"),
        (
            ["--profile", "spike", "--target-command", "my-sut", "--service-workers", "2"],
            "--service-workers and --py-profile apply to the reference orchestrator only",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], expected: str) -> None:
    result = _load(*args)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    # (an unrelated platformdirs warning about XDG_RUNTIME_DIR may precede it)
    ours = [line for line in result.stderr.splitlines() if line.startswith("gauntlet load:")]
    assert "Traceback" not in result.stderr and len(ours) == 1 and expected in ours[0]


def test_a_bad_faults_file_names_its_line(tmp_path: Path) -> None:
    faults = tmp_path / "faults.yaml"
    faults.write_text(
        "faults:\n  - {fault: {kind: latency, upstream: nowhere, latency_ms: 5}, start: 1s}\n"
    )
    result = _load("--profile", "spike", "--faults", str(faults))
    assert result.returncode == 2, result.stderr
    assert f"{faults}:2" in result.stderr and "Traceback" not in result.stderr
