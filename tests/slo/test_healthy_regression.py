"""The healthy-phase comparison against --baseline: its statistic on made-up cells, then the
gate and `run` on a real core-suite run (the same run passes against itself, its healthy
latencies made 30 % slower fail with lines naming what got slower, another workload is
refused in one line)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli import app as gauntlet_app
from scenarios.cli.cmd_gate import gate
from slo import BaselineFileError, BaselineReport
from slo.healthy import SKETCH_LEVELS, HealthyCell, cell_of
from slo.healthy_regression import MIN_CELL_REQUESTS, compare_healthy

sys.path.insert(0, str(Path(__file__).parent / "real_runs"))
from rebuild import CHAOS_CORE, rebuild  # noqa: E402

gate_app = typer.Typer()
gate_app.command()(gate)
SUCCESS = {"success": 30}


def cells(factors: dict[str, float], requests: int = 30, seed: int = 1) -> list[HealthyCell]:
    """One cell per scenario (intent `overview`), latencies ~ 50 ms times its factor."""
    rng = np.random.default_rng(seed)
    base = rng.lognormal(np.log(50), 0.3, size=(len(factors), requests))
    return [
        cell_of(name, "overview", base[i] * factor, {"success": requests})
        for i, (name, factor) in enumerate(factors.items())
    ]


def scenarios(n: int, factor: float = 1.0) -> dict[str, float]:
    return {f"s{i:02}": factor for i in range(n)}


def verdict(comparison, measure: str):  # type: ignore[no-untyped-def]
    return next(v for v in comparison.verdicts if v.measure == measure)


def test_the_same_cells_hold() -> None:
    before = cells(scenarios(12))
    comparison = compare_healthy("b.json", before, before, 0.95)
    assert not comparison.regressed and comparison.lines() == []
    assert verdict(comparison, "p50").shift == pytest.approx(1.0)


def test_thirty_percent_slower_everywhere_is_a_regression_named_per_scenario() -> None:
    before = cells(scenarios(12))
    comparison = compare_healthy("b.json", before, cells(scenarios(12, 1.3)), 0.95)
    p50 = verdict(comparison, "p50")
    assert comparison.regressed and p50.regressed
    assert p50.shift == pytest.approx(1.3, rel=0.01)
    assert p50.summary.startswith("all intents p50 +30 % over 12 (scenario, intent) pairs (p=")
    first = before[0]
    line = f"{first.scenario} · overview · p50 {first.quantile(0.5):.1f} → "
    assert any(text.startswith(f"regression: {line}") for text in comparison.lines())
    assert all(text.endswith("(+30 %)") for text in comparison.lines())


def test_a_drift_below_the_margin_is_not_flagged_though_requests_alone_would_be() -> None:
    before, now = cells(scenarios(12)), cells(scenarios(12, 1.15))
    assert not compare_healthy("b.json", before, now, 0.95).regressed
    # the sampling test alone calls a 15 % drift of the whole machine a regression
    assert compare_healthy("b.json", before, now, 0.95, latency_margin=0).regressed


def test_one_slow_scenario_does_not_move_the_pooled_shift() -> None:
    factors = scenarios(12) | {"s00": 3.0}
    comparison = compare_healthy("b.json", cells(scenarios(12)), cells(factors), 0.95)
    assert verdict(comparison, "p50").shift == pytest.approx(1.0)
    assert not comparison.regressed


def test_a_different_sample_of_the_same_distribution_holds() -> None:
    before, now = cells(scenarios(12), seed=1), cells(scenarios(12), seed=2)
    assert not compare_healthy("b.json", before, now, 0.95).regressed


def test_scenarios_with_too_few_healthy_requests_are_left_out() -> None:
    few = MIN_CELL_REQUESTS - 1
    comparison = compare_healthy(
        "b.json", cells(scenarios(3), few), cells(scenarios(3, 2.0), few), 0.95
    )
    p50 = verdict(comparison, "p50")
    assert p50.shift is None and not p50.regressed
    assert f"not compared (no scenario with {MIN_CELL_REQUESTS} healthy requests" in p50.summary


def test_more_requests_not_success_is_a_regression_beyond_its_margin() -> None:
    before = [cell_of(f"s{i}", "q", [10.0] * 100, {"success": 100}) for i in range(5)]
    worse = [cell_of(f"s{i}", "q", [10.0] * 100, {"success": 90, "failed": 10}) for i in range(5)]
    slightly = [cell_of(f"s{i}", "q", [10.0] * 100, {"success": 99, "failed": 1}) for i in range(5)]
    status = verdict(compare_healthy("b.json", before, worse, 0.95), "not success")
    assert status.regressed and status.shift == pytest.approx(0.10)
    assert "s0 · q · not success 0% → 10% (+10 pp)" in status.lines()
    assert not compare_healthy("b.json", before, slightly, 0.95).regressed


def test_a_cell_reads_its_quantiles_and_round_trips_through_json() -> None:
    cell = cell_of("s", "i", list(range(1, 102)), {"success": 101})
    assert len(cell.sketch_ms) == len(SKETCH_LEVELS)
    assert cell.quantile(0.5) == pytest.approx(51.0)
    assert cell.share_above(51.0) == pytest.approx(0.5)
    assert cell.share_above(0.0) == 1.0 and cell.share_above(1000.0) == 0.0
    again = HealthyCell.from_json(json.loads(json.dumps(cell.to_json())))
    assert (again.key, again.requests, again.statuses) == (cell.key, 101, {"success": 101})
    assert again.sketch_ms == pytest.approx(cell.sketch_ms, abs=0.001)  # kept to the µs


# The gate and `run` on a real core-suite run.


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return rebuild("core-pass", tmp_path_factory.mktemp("core-pass"))


def gate_against(observations: Path, baseline: Path, out: Path):  # type: ignore[no-untyped-def]
    args = [observations, "--slo", CHAOS_CORE, "--baseline", baseline, "--out", out]
    return CliRunner().invoke(gate_app, [str(a) for a in args], env={"COLUMNS": "100"})


def test_a_healthy_run_against_itself_passes(real_run, tmp_path: Path) -> None:
    observations = real_run["json"].parent / "observations.jsonl"
    result = gate_against(observations, real_run["json"], tmp_path / "out")
    assert result.exit_code == exit_codes.OK, result.output
    assert (
        "healthy phase held against the baseline: p50 +0 %, p95 +0 % over 27 scenario-intents"
        in result.output
    )
    compared = json.loads((tmp_path / "out" / "report.json").read_text())["healthy_comparison"]
    assert compared["regressed"] is False and compared["lines"] == []
    assert {m["intent"] for m in compared["measures"]} >= {"service_overview", "ad_hoc_query"}


def test_healthy_latencies_thirty_percent_slower_fail_with_a_clear_line(
    real_run, tmp_path: Path
) -> None:
    slower = tmp_path / "slower.jsonl"
    source = real_run["json"].parent / "observations.jsonl"
    with source.open() as lines, slower.open("w") as out:
        for line in lines:
            record = json.loads(line)
            if record["phase"] == "baseline":
                record["latency_ms"] *= 1.3
            out.write(json.dumps(record) + "\n")
    result = gate_against(slower, real_run["json"], tmp_path / "out")
    assert result.exit_code == exit_codes.FAILED, result.output
    assert (
        "regressed: healthy all intents p50 +30 % over 27 (scenario, intent) pairs" in result.output
    )
    # e.g. "  sql-injection · service_overview · p50 94.2 → 122.4 ms (+30 %)"
    assert " · service_overview · p50 " in result.output and "ms (+30 %)" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["verdict"] == "fail" and report["healthy_comparison"]["outcome"] == "fail"
    # the objectives alone let it through: only the healthy-phase comparison caught it
    assert all(o["outcome"] == "pass" for o in report["objectives"])


def test_run_refuses_a_baseline_of_another_workload_before_starting(real_run) -> None:
    args = ["run", "--only", "cross-tenant-query", "--baseline", str(real_run["json"])]
    result = CliRunner().invoke(gauntlet_app, args, env={"COLUMNS": "250"})
    assert result.exit_code == exit_codes.BAD_INPUT, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "a different workload (the baseline ran 26 scenarios, this run 1 scenario;" in lines[0]


def test_a_malformed_healthy_entry_is_refused_naming_its_field(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"schema_version": 1, "healthy": [{"scenario": "s"}]}))
    with pytest.raises(BaselineFileError) as refused:
        BaselineReport.load(report)
    assert str(refused.value).startswith(f"{report}: field 'healthy[0]': expected scenario")
    assert "\n" not in str(refused.value)


def test_a_baseline_written_before_healthy_summaries_compares_objectives_only(
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"schema_version": 1, "objectives": []}))
    assert BaselineReport.load(report).compare_healthy((), 0.95) is None
