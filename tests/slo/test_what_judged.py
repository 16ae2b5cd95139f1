"""The gate says what judged a run: "no data" for a phase the run never had (neither
inconclusive nor failed), and --baseline refuses a report of another workload."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli.cmd_gate import gate
from slo import evaluate, evaluate_files, load_slo_file, overall_verdict, write_reports
from vocabulary import read_observations, write_observations

sys.path.insert(0, str(Path(__file__).parent / "real_runs"))
from rebuild import CHAOS_CORE, rebuild  # noqa: E402

app = typer.Typer()
app.command()(gate)
BURST = "failed (phase burst)"


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return rebuild("core-pass", tmp_path_factory.mktemp("core-pass"))


def one_scenario(real_run: dict[str, Path], tmp_path: Path, name: str) -> Path:
    """The observations of one scenario of the real run, as `gauntlet run --only` leaves."""
    path = tmp_path / "observations.jsonl"
    source = real_run["json"].parent / "observations.jsonl"
    with path.open("w") as stream:
        write_observations(stream, (o for o in read_observations(source) if o.scenario == name))
    return path


def test_a_phase_the_run_never_had_reads_no_data(real_run, tmp_path: Path) -> None:
    observations = one_scenario(real_run, tmp_path, "metrics-latency-cascade")
    evaluation = evaluate_files(observations, load_slo_file(CHAOS_CORE))
    assert evaluation.no_data == {BURST: "the run had no burst phase"}
    assert BURST not in {result.name for result in evaluation.results}
    assert overall_verdict(evaluation) != "fail"
    written = write_reports(tmp_path / "out", evaluation, observations=[observations])
    document = json.loads(written["json"].read_text())
    assert document["no_data"] == [{"name": BURST, "reason": "the run had no burst phase"}]
    assert BURST not in {o["name"] for o in document["objectives"]}
    assert f"➖ {BURST}: no data (the run had no burst phase)" in written["markdown"].read_text()
    # the whole suite had bursts: there, the objective is judged
    whole = json.loads(real_run["json"].read_text())
    assert whole["no_data"] == [] and BURST in {o["name"] for o in whole["objectives"]}


def test_a_run_that_observed_nothing_is_undecided_not_no_data() -> None:
    evaluation = evaluate(iter(()), load_slo_file(CHAOS_CORE))
    assert evaluation.no_data == {}
    assert overall_verdict(evaluation) == "inconclusive"


def test_the_baseline_of_another_workload_is_refused_in_one_line(real_run, tmp_path) -> None:
    observations = one_scenario(real_run, tmp_path, "cross-tenant-query")
    result = CliRunner().invoke(
        app,
        [str(observations), "--slo", str(CHAOS_CORE), "--baseline", str(real_run["json"])],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == exit_codes.BAD_INPUT, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "a different workload (the baseline ran 26 scenarios, this run 1 scenario;" in lines[0]
    assert "only in the baseline: advisory-lock-flood, audit-id-squatting" in lines[0]


def test_the_baseline_of_the_same_workload_is_compared(real_run, tmp_path: Path) -> None:
    observations = real_run["json"].parent / "observations.jsonl"
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [str(a) for a in (observations, "--slo", CHAOS_CORE, "--baseline", real_run["json"])]
        + ["--out", str(out)],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == exit_codes.OK, result.output
    assert "chaos-core.yaml (given with --slo)" in result.output
    document = json.loads((out / "report.json").read_text())
    assert document["baseline"] == str(real_run["json"])
    assert document["workload"] == json.loads(real_run["json"].read_text())["workload"]
    # a gate judges objectives only: its scenario rows claim no verdict of their own
    markdown = (out / "report.md").read_text()
    held = next(line for line in markdown.splitlines() if line.startswith("- **Held:**"))
    assert "scenarios" not in held and "- ▫️ **cross-tenant-query**: 51 requests" in markdown
