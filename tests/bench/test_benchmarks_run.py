"""Every benchmark in bench/ still runs against today's code, as `make bench-quick` runs it.

A benchmark imports the product's names directly, so a rename breaks it and nothing else
notices until someone runs `make bench`. Each script found in bench/ runs here with
`--quick` (tiny sizes, no results file): it must exit 0, print its ratio lines, and leave
bench/results/ as it was. No figure is judged: a quick run measures nothing worth comparing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
RESULTS = BENCH / "results"

# The scripts of bench/ that are not run here, and why. Every other bench/*.py is: a new
# benchmark is run from the moment it exists, and fails until its ratio lines are below.
NOT_RUN = {
    # the whole core suite once per mutant, minutes (`make gate-power`)
    "gate_power.py",
    # the whole core suite several times over
    "verdict_stability.py",
    # its --quick run is already a test, with its own assertions:
    # tests/service/test_stop_signals.py::test_serve_stops_cleanly_wherever_a_signal_lands
    "serve_signals.py",
    # not a benchmark: the load-average figures the others record
    "machine_load.py",
    # not a benchmark: re-judges an explore folder recorded earlier, given on its command line
    "explore_rejudge.py",
}

NUMBER = r"[0-9]+(?:\.[0-9]+)?"
# The lines that carry each benchmark's ratios, one pattern per line: the number is
# required to be there, never judged.
RATIO_LINES = {
    "audit_backlog.py": [rf"latency_ratio_backlog_over_empty: {NUMBER}"],
    "baseline_power.py": [
        rf"false alarms / comparisons: {NUMBER}",
        rf"caught / shifted comparisons: {NUMBER}",
    ],
    "cli_startup.py": [rf"gauntlet --help: .*\(ratio {NUMBER}, median of 1\)"],
    "client_cost.py": [rf"harness CPU per request, .*\(httpx costs {NUMBER}x, median of 1\)"],
    "explore_power.py": [rf"found / mutants: {NUMBER}"],
    "explore_draws.py": [rf"attack kinds met, search's runs / one run: {NUMBER}"],
    "engine.py": [
        rf"efficiency vs slept critical path: {NUMBER}",
        rf"bare gather efficiency vs slept critical path: {NUMBER}",
        rf"throughput / asyncio\.gather: {NUMBER}",
        rf"bare stage shape / asyncio\.gather: {NUMBER}",
    ],
    "keepalive_latency.py": [rf"bare stream socket p50 / bind_listener p50: {NUMBER}"],
    "load_overhead.py": [rf"gauntlet load path / plain locust, requests per CPU-second: {NUMBER}"],
    "merge_memory.py": [rf"peak x{NUMBER} \(summary x{NUMBER}\) for x{NUMBER} observations"],
    "latency_floor.py": [
        rf"orchestrator p50 / bare psycopg p50: {NUMBER}",
        rf"orchestrator p95 / bare psycopg p95: {NUMBER}",
    ],
    "service.py": [
        rf"service / bare: +{NUMBER}",
        rf"service / bare, requests per server CPU-second: {NUMBER} \(rounds .*\)",
    ],
    "slo_eval.py": [
        rf"ratio_vs_json_loads {NUMBER}",
        rf"ratio_polars_scan_vs_json_loads {NUMBER}",
    ],
    "soak_rss.py": [rf"memory growth, last fifth over second fifth: harness -?{NUMBER} MB .*"],
    "soak_scale.py": [
        rf"bytes_per_observation {NUMBER}",
        rf"ratio_vs_scan {NUMBER}",
    ],
    "target_process.py": [rf"p50 own process / in-process: {NUMBER}"],
    "validator_cost.py": [
        rf"validator / baseline validator: {NUMBER}",
        rf"validator in its worker pool / baseline: {NUMBER}",
    ],
    "validator_fuzz.py": [rf"failures / cases: {NUMBER}"],
}
# Those that start a real Postgres (and Toxiproxy).
NEEDS_SERVICES = {
    "audit_backlog.py",
    "explore_power.py",
    "latency_floor.py",
    "soak_rss.py",
    "target_process.py",
}
# A hang guard below pytest's own timeout, so a stuck benchmark shows its output.
RUN_TIMEOUT_S = 240


def _benchmarks() -> list[str]:
    return sorted(path.name for path in BENCH.glob("*.py") if path.name not in NOT_RUN)


def _results() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in RESULTS.iterdir()}


def test_every_script_left_out_exists() -> None:
    assert {path.name for path in BENCH.glob("*.py")} >= NOT_RUN


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(name, marks=[pytest.mark.integration] if name in NEEDS_SERVICES else [])
        for name in _benchmarks()
    ],
)
def test_quick_run_exits_0_and_prints_its_ratios(script: str) -> None:
    assert script in RATIO_LINES, f"bench/{script}: add the lines that carry its ratios"
    before = _results()
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    lines = done.stdout.splitlines()
    for pattern in RATIO_LINES[script]:
        assert any(re.fullmatch(pattern, line) for line in lines), f"no {pattern!r} in:\n{said}"
    assert _results() == before, "a quick run must leave bench/results/ as it was"
