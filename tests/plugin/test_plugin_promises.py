"""`--gauntlet-promises FILE`: a team's test reads the promises its system declares; the
reference's own are the default for the reference, none for any other system, and a bad
file stops the session at once with one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from team_tests import run_team_test

TEAM_TEST = """
import math


def test_the_declared_share(gauntlet_promises):
    assert gauntlet_promises.promised("tenant_slots.direct_query") == {slots}
"""


def _pytest(tmp_path: Path, slots: str, *options: str) -> subprocess.CompletedProcess[str]:
    return run_team_test(tmp_path, "test_team_promises.py", TEAM_TEST.format(slots=slots), *options)


def test_the_fixture_holds_the_file_given_else_the_reference_or_nothing(tmp_path: Path) -> None:
    promises = tmp_path / "promises.yaml"
    promises.write_text("bulkheads: {direct_query: {slots: 6}}\ntenant_share: 0.5\n")
    given = _pytest(tmp_path, "3", "--gauntlet-promises", str(promises))
    assert given.returncode == 0, given.stdout + given.stderr
    reference = _pytest(tmp_path, "5")  # the reference's own file: half of 10 slots
    assert reference.returncode == 0, reference.stdout + reference.stderr
    other = _pytest(tmp_path, "math.inf", "--gauntlet-target-command", "./my-service")
    assert other.returncode == 0, other.stdout + other.stderr


def test_a_bad_promises_file_stops_the_session_in_one_line(tmp_path: Path) -> None:
    promises = tmp_path / "promises.yaml"
    promises.write_text("tenant_share: 2\n")
    done = _pytest(tmp_path, "5", "--gauntlet-promises", str(promises))
    assert done.returncode == 4, done.stdout + done.stderr  # pytest's usage error
    (line,) = [line for line in done.stderr.splitlines() if "gauntlet:" in line]
    assert f"{promises}:1: field 'tenant_share'" in line, done.stderr
