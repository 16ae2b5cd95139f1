"""`--gauntlet-target-command`: a team's own chaos test, run against a service it has
never seen (the naive one) and against the reference orchestrator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from team_tests import run_team_test

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TEAM_TEST = """
def test_a_metrics_outage_is_reported_as_partial(gauntlet, fault):
    with fault("down", upstream="metrics"):
        answer = gauntlet.orchestrate("acme", "service_overview", service="checkout")
    assert answer.observation.status == "partial", answer.body
"""


def _pytest(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return run_team_test(tmp_path, "test_team_chaos.py", TEAM_TEST, *options, timeout=240)


def test_the_team_test_fails_the_naive_service_it_points_at(tmp_path: Path) -> None:
    naive = f"{sys.executable} {REPO / 'tests' / 'naive_sut' / 'service.py'}"
    done = _pytest(tmp_path, "--gauntlet-target-command", naive)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "'status': 'success'" in done.stdout  # the naive answer, as the assertion shows it


def test_the_same_team_test_passes_the_reference_orchestrator(tmp_path: Path) -> None:
    reference = f"{sys.executable} -m orchestrator.service"
    done = _pytest(tmp_path, "--gauntlet-target-command", reference)
    assert done.returncode == 0, done.stdout + done.stderr
