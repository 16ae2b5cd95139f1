"""A single-scenario run as a CI log shows it: 80 columns, output piped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

GAUNTLET = Path(sys.executable).parent / "gauntlet"


def test_one_scenario_fits_40_lines_of_80_columns_and_says_where_its_reports_are(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [str(GAUNTLET), "run", "--only", "metrics-latency-cascade", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "80"},
    )
    text = result.stderr  # with --json the human text goes to stderr
    lines = text.splitlines()
    assert len(lines) <= 40, text
    assert max(len(line) for line in lines) <= 80, text
    for leak in ("Traceback", "Task exception", "never retrieved"):
        assert leak not in text + result.stdout
    # With no TTY, one line when the scenario ends, and one line naming the report folder.
    assert sum(line.startswith("metrics-latency-cascade") for line in lines) == 1
    [reports] = [line for line in lines if line.startswith("reports: ")]
    folder = tmp_path / reports.removeprefix("reports: ")
    assert folder.parent == tmp_path / "reports" and (folder / "report.json").is_file()
    summary = json.loads(result.stdout)
    assert summary["exit_code"] == result.returncode and summary["reports"] == str(
        folder.relative_to(tmp_path)
    )
    assert summary["status_totals"] and summary["checks"]
