"""`gauntlet load` as a CI log shows it: no terminal, COLUMNS unset (80), output piped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

GAUNTLET = Path(sys.executable).parent / "gauntlet"


def test_a_spike_load_ends_in_40_lines_of_80_columns(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    # A short working folder: the `reports:` line names it, and pytest's own folders (one
    # level deeper per pytest-xdist worker) would push that line alone past 80 columns.
    with tempfile.TemporaryDirectory(prefix="gauntlet-") as short:
        out = Path(short) / "run"  # given relative: Locust runs in another working directory
        result = subprocess.run(
            [str(GAUNTLET), "load", "--profile", "spike", "--duration", "20s", "--out", "run"],
            capture_output=True,  # read concurrently by subprocess.run
            text=True,
            timeout=300,
            cwd=short,
            env=env,
        )
        kept = shutil.move(out, tmp_path / "run")  # where every report's schema is checked
    lines = (result.stdout + result.stderr).splitlines()
    text = "\n".join(lines)
    assert len(lines) <= 40 and max(map(len, lines)) <= 80, text
    assert "Traceback" not in text
    # every status line is a line of its own: none glued to the summary that follows
    assert sum(" requests in " in line for line in lines) == 1, text
    assert [line for line in lines if line.startswith("gate: ")], text
    assert f"reports: {out}" in lines, text
    assert (Path(kept) / "report.json").is_file()
    # the built-in profile stays within the reference's capacity: a healthy one passes it
    assert result.returncode == 0, text
