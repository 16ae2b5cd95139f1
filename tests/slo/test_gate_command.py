"""`gauntlet gate` through typer's CliRunner: exit 0 pass, 1 fail, 2 bad input."""

from pathlib import Path

import pytest
import typer
from conftest import synthetic
from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli.cmd_gate import gate
from vocabulary import write_observations

app = typer.Typer()
app.command()(gate)
SLO = (
    "objectives:\n"
    "  - {name: failed, ratio: failed, max: 0.05}\n"
    "  - {name: p99, latency: p99, max_ms: 1000}\n"
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # without --out, the gate writes to ./reports/<timestamp>


def files(tmp_path: Path, n: int, failed: float) -> tuple[Path, Path]:
    observations = tmp_path / "observations.jsonl"
    with observations.open("w") as stream:
        write_observations(stream, synthetic(n, failed=failed))
    slo = tmp_path / "slo.yaml"
    slo.write_text(SLO)
    return observations, slo


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def test_healthy_run_exits_0_and_writes_reports(tmp_path: Path) -> None:
    observations, slo = files(tmp_path, 2000, failed=0.01)
    result = invoke(observations, "--slo", slo, "--out", tmp_path / "out")
    assert result.exit_code == exit_codes.OK, result.output
    assert (tmp_path / "out" / "report.html").is_file() and (
        tmp_path / "out" / "junit.xml"
    ).is_file()


def test_breaching_run_exits_1(tmp_path: Path) -> None:
    observations, slo = files(tmp_path, 2000, failed=0.2)
    assert invoke(observations, "--slo", slo).exit_code == exit_codes.FAILED


def test_tiny_run_is_inconclusive_and_fails_under_the_default_policy(tmp_path: Path) -> None:
    observations, slo = files(tmp_path, 10, failed=0.0)
    result = invoke(observations, "--slo", slo)
    assert result.exit_code == exit_codes.FAILED and "inconclusive" in result.output


def test_baseline_regression_exits_1(tmp_path: Path) -> None:
    observations, slo = files(tmp_path, 3000, failed=0.005)
    assert (
        invoke(observations, "--slo", slo, "--out", tmp_path / "before").exit_code == exit_codes.OK
    )
    worse = tmp_path / "worse.jsonl"
    with worse.open("w") as stream:
        write_observations(stream, synthetic(3000, failed=0.03, seed=3))
    result = invoke(worse, "--slo", slo, "--baseline", tmp_path / "before" / "report.json")
    assert result.exit_code == exit_codes.FAILED and "significantly worse" in result.output


def test_malformed_slo_file_exits_2_with_one_line(tmp_path: Path) -> None:
    observations, slo = files(tmp_path, 100, failed=0.0)
    slo.write_text("objectives:\n  - {name: failed, ratio: failed, maximum: 0.05}\n")
    result = invoke(observations, "--slo", slo)
    assert result.exit_code == exit_codes.BAD_INPUT
    assert f"{slo}:2: field 'objectives[0].maximum': unknown key" in result.output
    assert "Traceback" not in result.output


def test_malformed_observation_line_exits_2_naming_the_line(tmp_path: Path) -> None:
    observations, slo = files(tmp_path, 5, failed=0.0)
    with observations.open("a") as stream:
        stream.write('{"ts": 1, "scenario": "s", "status": "success"}\n')
    result = invoke(observations, "--slo", slo)
    assert (
        result.exit_code == exit_codes.BAD_INPUT
        and f"{observations}:6: field 'latency_ms'" in result.output
    )


def test_missing_files_exit_2(tmp_path: Path) -> None:
    observations, slo = files(tmp_path, 5, failed=0.0)
    assert invoke(tmp_path / "absent.jsonl", "--slo", slo).exit_code == exit_codes.BAD_INPUT
    assert invoke(observations, "--slo", tmp_path / "absent.yaml").exit_code == exit_codes.BAD_INPUT
    assert (
        invoke(observations, "--slo", slo, "--baseline", tmp_path / "absent.json").exit_code
        == exit_codes.BAD_INPUT
    )


def test_without_out_the_gate_writes_a_timestamped_folder_and_names_it(tmp_path: Path) -> None:
    observations, slo = files(tmp_path, 2000, failed=0.01)
    result = invoke(observations, "--slo", slo)
    folders = list((tmp_path / "reports").iterdir())
    assert len(folders) == 1 and (folders[0] / "report.json").is_file()
    assert [line for line in result.output.splitlines() if line.startswith("reports:")] == [
        f"reports: {Path('reports') / folders[0].name}"
    ]


def test_json_prints_a_machine_readable_summary_on_stdout(tmp_path: Path) -> None:
    import json

    observations, slo = files(tmp_path, 2000, failed=0.2)
    result = CliRunner().invoke(
        app, [str(observations), "--slo", str(slo), "--json", "--out", str(tmp_path / "o")]
    )
    summary = json.loads(result.stdout)
    assert summary["command"] == "gate" and summary["exit_code"] == exit_codes.FAILED
    assert summary["verdict"] == "fail" and summary["reports"] == str(tmp_path / "o")
    failed = {o["name"]: o["outcome"] for o in summary["objectives"]}
    assert failed["failed"] == "fail"
