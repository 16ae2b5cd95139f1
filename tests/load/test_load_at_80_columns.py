"""`gauntlet load` as a CI log shows it: no terminal, COLUMNS unset (80), output piped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

GAUNTLET = Path(sys.executable).parent / "gauntlet"


def test_a_spike_load_ends_in_40_lines_of_80_columns(tmp_path: Path) -> None:
    out = tmp_path / "run"  # given relative: Locust runs in another working directory
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    result = subprocess.run(
        [str(GAUNTLET), "load", "--profile", "spike", "--duration", "20s", "--out", "run"],
        capture_output=True,  # read concurrently by subprocess.run
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )
    lines = (result.stdout + result.stderr).splitlines()
    text = "\n".join(lines)
    assert len(lines) <= 40 and max(map(len, lines)) <= 80, text
    assert "Traceback" not in text
    # every status line is a line of its own: none glued to the summary that follows
    assert sum(" requests in " in line for line in lines) == 1, text
    assert [line for line in lines if line.startswith("gate: ")], text
    assert f"reports: {out}" in lines, text
    assert (out / "report.json").is_file()
    # the built-in profile stays within the reference's capacity: a healthy one passes it
    assert result.returncode == 0, text
