"""A malformed scenario file: exit code 2 and one line `FILE:LINE: field ...`, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GAUNTLET = Path(sys.executable).parent / "gauntlet"

VALID_HEAD = """\
name: broken
workload:
  intents: [{intent: service_overview, parameters: {service: checkout}}]
  tenants: [acme]
"""

CASES = {
    # name: (file text, line, field, words the message must hold)
    "unknown-key": (VALID_HEAD + "  requests: 3\n  bogus: 1\n", 6, "workload.bogus", "unknown key"),
    "unknown-fault-kind": (
        VALID_HEAD
        + "  requests: 3\nfaults:\n  - {fault: {kind: nope, upstream: ops}, start: 1s}\n",
        7,
        "faults[0].fault.kind",
        "nope",
    ),
    "bad-duration": (VALID_HEAD + "  duration: soon\n", 5, "workload.duration", "duration like"),
    "requests-and-duration": (
        VALID_HEAD + "  requests: 3\n  duration: 5s\n",
        3,
        "workload",
        "exactly one",
    ),
    "fault-past-the-end": (
        VALID_HEAD
        + "  duration: 5s\nfaults:\n  - {fault: {kind: db_stop}, start: 3s, duration: 4s}\n",
        7,
        "faults[0].duration",
        "end by",
    ),
    "unknown-expectation": (
        VALID_HEAD + "  requests: 3\nexpectations:\n  - {fastness: 3}\n",
        7,
        "expectations[0]",
        "expected exactly one of",
    ),
    "unknown-tool": (
        VALID_HEAD + "  requests: 3\nexpectations:\n  - {tool_errors: {payments: [timeout]}}\n",
        7,
        "expectations[0].tool_errors.payments",
        "expected a tool id (direct_query, metrics, topology, audit), got 'payments'",
    ),
    "misspelt-tool": (
        VALID_HEAD + "  requests: 3\nexpectations:\n  - {codes_seen: {metric: [circuit_open]}}\n",
        7,
        "expectations[0].codes_seen.metric",
        "got 'metric' (did you mean 'metrics'?)",
    ),
    "phase-without-faults": (
        VALID_HEAD + "  requests: 3\nexpectations:\n  - {max_latency_ms: 100, phase: fault}\n",
        7,
        "expectations[0].phase",
        "faults",
    ),
}


def _run(path: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GAUNTLET), "run", "--scenario", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_file_gives_exit_2_and_one_line_naming_file_line_field(
    case: str, tmp_path: Path
) -> None:
    text, line, field, words = CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    result = _run(path, tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{path.name}:{line}: field '{field}'" in lines[0]
    assert words in lines[0]
    assert not (tmp_path / "out").exists()  # nothing started, nothing written


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text("name: x\nworkload: [\n")
    result = _run(path, tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and f"{path.name}:3: not valid YAML" in result.stderr


def test_missing_file_is_bad_input_not_a_traceback(tmp_path: Path) -> None:
    result = _run(tmp_path / "absent.yaml", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "absent.yaml" in result.stderr
