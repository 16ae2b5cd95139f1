"""`gauntlet run` with Postgres and Toxiproxy both in containers, images chosen by flag."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.containers import LOCAL_POSTGRES, LOCAL_TOXIPROXY
from scenarios.spec.loader import BUILTIN_SUITES_DIR

pytestmark = pytest.mark.docker

GAUNTLET = Path(sys.executable).parent / "gauntlet"
SMALL_RUN_SLO = """\
name: one-scenario
min_samples: 10
on_inconclusive: warn
filters: {source: scenario}
objectives:
  - {name: answered, ratio: answered, min: 0.9}
"""


def _gauntlet_run(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    slo = tmp_path / "slo.yaml"
    slo.write_text(SMALL_RUN_SLO)
    command = [str(GAUNTLET), "run", "--slo", str(slo), "--out", str(tmp_path / "out")]
    command += ["--scenario", str(BUILTIN_SUITES_DIR / "core" / "15-sql-injection.yaml")]
    return subprocess.run(
        [*command, "--db", "docker", "--toxiproxy", "docker", *flags],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_a_scenario_runs_on_containers_end_to_end(tmp_path: Path) -> None:
    result = _gauntlet_run(
        tmp_path, "--postgres-image", LOCAL_POSTGRES, "--toxiproxy-image", LOCAL_TOXIPROXY
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report  # the run was judged and reported
    observations = (tmp_path / "out" / "observations.jsonl").read_text().splitlines()
    assert {json.loads(line)["scenario"] for line in observations} == {"sql-injection"}


@pytest.mark.parametrize("flag", ["--postgres-image", "--toxiproxy-image"])
def test_an_image_that_is_nowhere_exits_3_naming_it(tmp_path: Path, flag: str) -> None:
    result = _gauntlet_run(tmp_path, flag, "gauntlet/no-such-image:0")
    assert result.returncode == 3, result.stdout[-2000:] + result.stderr[-2000:]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "gauntlet/no-such-image:0" in errors[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr
