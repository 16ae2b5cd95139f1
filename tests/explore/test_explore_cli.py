"""`gauntlet explore` end to end, on real Postgres and real Toxiproxy: it finds, confirms and
shrinks a real defect of a deliberately broken build, and confirms nothing on the honest
reference. Both are judged by the confirmation rule, never by timing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scenarios.cli.cmd_validate import check_file

GAUNTLET = Path(sys.executable).parent / "gauntlet"
ROOT = Path(__file__).resolve().parents[2]
# Status aggregation calls a partial answer `success`: the honest-status promise.
MUTANT = f"{sys.executable} {ROOT / 'bench' / 'mutants' / 'serve.py'} partial-called-success"


def explore(out: Path, *options: str, timeout: float = 400) -> subprocess.CompletedProcess:
    command = ["nice", "-n", "10", str(GAUNTLET), "explore", "--out", str(out), "--json"]
    return subprocess.run(  # reads stdout and stderr together: the child never blocks
        [*command, *options],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "120"},
    )


@pytest.mark.integration
def test_a_defective_build_is_found_and_shrunk_to_a_scenario_file(tmp_path: Path) -> None:
    # --finds 1: the search ends once its first find is confirmed and shrunk, not at 90 s.
    # Seed 8 draws short experiments first (6 s each as drawn; seed 1's first is an abuse
    # experiment of 24 s, its fresh runs 45 s each on a busy machine): the test is about
    # finding, confirming and shrinking, not about how long a drawn experiment lasts
    options = ("--budget", "90s", "--seed", "8", "--finds", "1", "--target-command", MUTANT)
    done = explore(tmp_path / "out", *options)
    assert done.returncode == 1, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["finds_confirmed"] >= 1
    find = summary["finds"][0]
    assert find["promise"] == "honest status"
    assert find["reproduction"]["broke"] >= 2  # confirmed on fresh runs, not the first one
    assert find["shrink_steps"] >= 1
    found = Path(find["scenario"])
    assert found.parent == tmp_path / "out" / "found"
    assert check_file(found).startswith("scenario found-1-honest-status")
    text = found.read_text()
    assert text.startswith("# Found by `gauntlet explore` (seed 8)")
    assert "honest_status: true" in text
    assert summary["experiments_tried"] >= 2
    assert (tmp_path / "out" / "explore.json").is_file()


@pytest.mark.integration
def test_the_honest_reference_has_nothing_confirmed(tmp_path: Path) -> None:
    done = explore(tmp_path / "out", "--budget", "30s", "--seed", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["finds_confirmed"] == 0 and summary["finds"] == []
    # How many fit in 30 s, and whether the first finds the system steady so soon after
    # its start, is the machine's business (seed 2 draws 12 s and 13 s of abuse first,
    # each with its recovery): the search ran, and confirmed nothing
    assert summary["experiments_tried"] >= 1
    assert not (tmp_path / "out" / "found").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--budget", "soon"], "--budget: expected a duration"),
        (["--budget", "0s"], "--budget: expected a budget above zero"),
        (["--target-command", "a", "--target-url", "http://x"], "exclude each other"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, options: list[str], message: str) -> None:
    done = explore(tmp_path / "out", *options, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1
    assert json.loads(done.stdout)["error"]


def test_replay_needs_the_folder_of_a_search(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(GAUNTLET), "explore", "--replay"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "--replay: name the folder" in done.stderr


@pytest.mark.integration
def test_ctrl_c_rolls_back_and_exits_130_with_what_it_has(tmp_path: Path) -> None:
    out = tmp_path / "out"
    logs = [(tmp_path / name).open("w+") for name in ("stdout", "stderr")]
    child = subprocess.Popen(  # its output goes to files: it never blocks on a full pipe
        [str(GAUNTLET), "explore", "--budget", "10m", "--seed", "3", "--out", str(out)],
        stdout=logs[0],
        stderr=logs[1],
        cwd=ROOT,
    )
    try:
        tried = out / "experiments.jsonl"
        deadline = time.monotonic() + 240
        while not (tried.exists() and tried.read_text().strip()):
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=120) == 130
    finally:
        if child.poll() is None:
            child.kill()
    stderr = (tmp_path / "stderr").read_text()
    assert stderr.strip().splitlines()[-1].startswith("gauntlet explore: interrupted")
    summary = json.loads((out / "explore.json").read_text())
    assert summary["ended_by"] == "interrupted" and summary["exit_code"] == 130
