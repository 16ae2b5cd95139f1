"""Real load runs: Locust in a subprocess against the real service on real Postgres."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from rich.console import Console

from load.control.runner import LoadRunOptions, LoadRunResult, run_load
from load.inputs.profile import load_profile
from target.choice import TargetChoice
from vocabulary import Observation
from vocabulary.segment_format import observations_of
from vocabulary.segment_writer import segment_files

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]

PROFILE = """\
name: short-check
duration: 10s
shape: {kind: soak, users: 2, spawn_rate: 2}
intents:
  - {intent: service_overview, weight: 3, parameters: {service: checkout}}
  - {intent: incident_triage, weight: 1, parameters: {service: payments}}
tenants: [acme, {tenant: globex, weight: 2}]
"""


def _run(tmp_path: Path, processes: int, target_command: str | None = None) -> LoadRunResult:
    profile_path = tmp_path / "short.yaml"
    profile_path.write_text(PROFILE)
    return run_load(
        LoadRunOptions(
            profile=load_profile(profile_path),
            out_dir=tmp_path / "out",
            processes=processes,
            target=TargetChoice(command=target_command),
            console=Console(file=open("/dev/null", "w")),
        )
    )


def _locust_total(out: Path) -> int:
    return sum(
        entry["num_requests"] for entry in json.loads((out / "locust_summary.json").read_text())
    )


def _merged(result: LoadRunResult) -> list[Observation]:
    """The run's merged observations, as recorded in its segments."""
    return [o for path in result.merge.segments for o in observations_of(path)]


def test_short_run_records_every_request_once_and_reports(tmp_path: Path) -> None:
    result = _run(tmp_path, processes=1)
    out = result.out_dir
    observations = _merged(result)
    assert observations, "the run produced no observations"
    assert not result.merge.duplicate_request_ids and result.merge.lost == 0
    assert len(observations) == result.merge.count == _locust_total(out) == result.locust_requests
    assert {o.source for o in observations} == {"load"} and {o.scenario for o in observations} == {
        "short-check"
    }
    assert {o.tenant for o in observations} <= {"acme", "globex"}
    assert {o.status for o in observations} <= {"success", "partial", "degraded", "failed"}
    # Every orchestration status is its own line in Locust's statistics.
    with (out / "locust_stats.csv").open() as stream:
        names = {row["Name"] for row in csv.DictReader(stream)} - {"Aggregated"}
    assert names == {f"orchestrate [{o.status}]" for o in observations}
    for report in ("report.json", "report.md", "report.html", "junit.xml"):
        assert (out / report).stat().st_size > 0
    assert segment_files(out / "observations") == result.merge.segments
    assert result.exit_code in (0, 1)  # the gate's verdict, not an infrastructure error
    assert result.locust_exit == 0


def test_two_locust_processes_both_write_and_merge_without_loss(tmp_path: Path) -> None:
    result = _run(tmp_path, processes=2)
    per_worker = result.merge.per_worker
    assert len(per_worker) == 2 and all(count > 0 for count in per_worker.values()), per_worker
    assert not result.merge.duplicate_request_ids
    assert result.merge.requests_reported == per_worker  # each worker: events seen == written
    assert result.merge.count == sum(per_worker.values()) == _locust_total(result.out_dir)
    assert {o.extra["worker"] for o in _merged(result)} == set(per_worker)


def test_load_drives_a_target_command_started_from_the_contract(tmp_path: Path) -> None:
    naive = f"{sys.executable} {REPO / 'tests' / 'naive_sut' / 'service.py'}"
    result = _run(tmp_path, processes=1, target_command=naive)
    observations = _merged(result)
    assert observations and result.merge.lost == 0
    # The naive system calls every answer a success and audits each request itself.
    assert {o.status for o in observations} == {"success"}
    assert len(observations) == result.locust_requests
