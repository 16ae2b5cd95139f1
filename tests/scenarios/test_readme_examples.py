"""The README's examples are tested, so none of them rots.

Every fenced block that follows an `<!-- example: KIND -->` marker is extracted: a
scenario must load (and, as written, run and hold), an SLO file must load, and every
command must run and exit 0.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios.spec.loader import load_scenario
from slo import load_slo_file

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
GAUNTLET = Path(sys.executable).parent / "gauntlet"
_BLOCK = re.compile(r"<!-- example: (\w+) -->\n```\w*\n(.*?)```", re.S)


def examples(kind: str) -> list[str]:
    found = [body for k, body in _BLOCK.findall(README.read_text(encoding="utf-8")) if k == kind]
    assert found, f"the README has no example marked {kind!r}"
    return found


def commands() -> list[list[str]]:
    lines = [
        line.split("#")[0].strip() for body in examples("command") for line in body.splitlines()
    ]
    return [shlex.split(line) for line in lines if line]


def test_every_marker_is_followed_by_a_fenced_block() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count("<!-- example:") == len(_BLOCK.findall(text))


@pytest.mark.parametrize("index", range(len(examples("scenario"))))
def test_readme_scenarios_load(index: int, tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(examples("scenario")[index], encoding="utf-8")
    assert load_scenario(path).expectations


@pytest.mark.parametrize("index", range(len(examples("slo"))))
def test_readme_slo_files_load(index: int, tmp_path: Path) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(examples("slo")[index], encoding="utf-8")
    assert load_slo_file(path).objectives


def test_readme_commands_name_real_commands_and_options() -> None:
    for argv in commands():
        assert argv[0] == "gauntlet", argv
        shown = subprocess.run(
            [str(GAUNTLET), argv[1], "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert shown.returncode == 0, shown.stderr
        for option in (word for word in argv[2:] if word.startswith("--")):
            assert option in shown.stdout, (argv, option)


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.mark.integration
def test_readme_commands_run_in_order_and_exit_0(tmp_path: Path) -> None:
    (tmp_path / "slo").symlink_to(ROOT / "slo")  # the commands name the repository's files
    for argv in commands():
        done = _run([str(GAUNTLET), *argv[1:]], tmp_path)
        output = done.stdout + done.stderr
        assert done.returncode == 0, (argv, output[-3000:])
        assert "Traceback" not in output and "never retrieved" not in output, output[-3000:]


@pytest.mark.integration
def test_the_readme_scenario_as_written_runs_and_holds(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(examples("scenario")[0], encoding="utf-8")
    out = tmp_path / "report"
    done = _run([str(GAUNTLET), "run", "--scenario", str(path), "--out", str(out)], tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    report = json.loads((out / "report.json").read_text())
    failing = [c for c in report["checks"] if not c["passed"]]
    assert not failing, failing
