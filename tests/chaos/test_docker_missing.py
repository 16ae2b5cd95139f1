"""Without a Docker engine, asking for a container is one clear line and exit 3, never a
traceback: the engine is probed before anything is constructed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.containers import DockerUnavailable, require_engine

GAUNTLET = Path(sys.executable).parent / "gauntlet"
INFRASTRUCTURE = 3


@pytest.fixture
def no_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    host = f"unix://{tmp_path}/no-engine.sock"
    monkeypatch.setenv("DOCKER_HOST", host)
    return {**os.environ, "DOCKER_HOST": host, "COLUMNS": "200"}


def test_the_probe_names_the_engine_in_one_line(no_engine: dict[str, str]) -> None:
    with pytest.raises(DockerUnavailable) as raised:
        require_engine()
    assert "Docker engine not reachable" in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("flags", "advice"),
    [
        (["--db", "docker"], "--db embedded"),
        (["--toxiproxy", "docker"], "--toxiproxy local"),
    ],
)
def test_gauntlet_run_on_docker_without_an_engine_exits_3_with_one_line(
    no_engine: dict[str, str], tmp_path: Path, flags: list[str], advice: str
) -> None:
    result = subprocess.run(
        [str(GAUNTLET), "run", "--only", "sql-injection", "--out", str(tmp_path / "out"), *flags],
        capture_output=True,
        text=True,
        timeout=120,
        env=no_engine,
    )
    assert result.returncode == INFRASTRUCTURE, result.stdout[-2000:] + result.stderr[-2000:]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1, result.stderr
    assert "Docker engine not reachable" in errors[0] and advice in errors[0]
    assert "Traceback" not in result.stdout + result.stderr
