"""`--json` is for scripts: stdout holds one JSON object whatever happens, bad input included."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli import app
from scenarios.cli.report_folder import summary


def gauntlet(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})


def test_gate_bad_input_prints_the_error_as_json_on_stdout(tmp_path: Path) -> None:
    result = gauntlet("gate", tmp_path / "none.jsonl", "--slo", tmp_path / "none.yaml", "--json")
    assert result.exit_code == exit_codes.BAD_INPUT
    document = json.loads(result.stdout)
    assert document["command"] == "gate" and document["exit_code"] == exit_codes.BAD_INPUT
    assert "none.yaml" in document["error"] and document["verdict"] is None


def test_run_bad_scenario_prints_the_error_as_json_on_stdout(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: x\nworkload: {concurency: 3}\n")
    result = gauntlet("run", "--scenario", scenario, "--json")
    assert result.exit_code == exit_codes.BAD_INPUT
    document = json.loads(result.stdout)
    assert document["command"] == "run" and "concurency" in document["error"]


def test_load_unknown_profile_prints_the_error_as_json_on_stdout() -> None:
    result = gauntlet("load", "--profile", "spikey", "--json")
    assert result.exit_code == exit_codes.BAD_INPUT
    document = json.loads(result.stdout)
    assert document["command"] == "load" and "did you mean 'spike'?" in document["error"]


def test_without_json_bad_input_leaves_stdout_empty(tmp_path: Path) -> None:
    result = gauntlet("gate", tmp_path / "none.jsonl", "--slo", tmp_path / "none.yaml")
    assert result.exit_code == exit_codes.BAD_INPUT and result.stdout == ""


def test_summary_tells_an_undecided_check_from_a_failed_one(tmp_path: Path) -> None:
    checks = [
        {"group": "s", "name": "a", "passed": False, "detail": "3 leaked", "inconclusive": False},
        {"group": "s", "name": "b", "passed": False, "detail": "12 samples", "inconclusive": True},
        {"group": "s", "name": "c", "passed": True, "detail": "", "inconclusive": False},
    ]
    (tmp_path / "report.json").write_text(json.dumps({"checks": checks}))
    read = summary("run", tmp_path, exit_codes.FAILED)["checks"]
    assert [(c["name"], c["passed"], c["verdict"]) for c in read] == [
        ("a", False, "fail"),
        ("b", False, "inconclusive"),
        ("c", True, "pass"),
    ]
    assert read[0]["detail"] == "3 leaked"
