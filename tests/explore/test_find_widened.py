"""An experiment judged against the victims' baseline runs with its times widened, so that
its windows hold enough victim requests to decide either way; others run as drawn."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings

from scenarios.explore import FaultSpace, experiments
from scenarios.explore.experiments import MAX_WIDENING, VICTIM_REQUESTS, widened
from scenarios.explore.find_file import write_find
from scenarios.spec.model import Scenario
from vocabulary.yaml_input import parse_yaml_model

ISOLATION = {
    "name": "explored",
    "workload": {
        "intents": [{"intent": "service_overview", "parameters": {"service": "checkout"}}],
        "tenants": ["acme"],
        "duration": "8s",
        "rate": "5/s",
    },
    "faults": [
        {
            "fault": {"kind": "tiny_deadline", "as_tenant": "initech", "rate": "10/s"},
            "start": "2s",
            "duration": "1500ms",
        },
        {
            "fault": {"kind": "caller_error_burst", "as_tenant": "initech", "rate": "5/s"},
            "start": "2500ms",
            "duration": "2s",
        },
    ],
    "expectations": [
        {"honest_status": True},
        {"phase": "fault", "status_vs_baseline": {"max_drop": 0.2}},
    ],
}


def test_the_shortest_attack_holds_enough_victim_requests_and_overlaps_are_kept() -> None:
    scenario = Scenario.model_validate(ISOLATION)
    wide, factor = widened(scenario)
    assert factor == 5.5  # 40 requests at 5/s in the 1.5 s window: x5.33, in half steps
    first, second = wide.faults
    assert wide.workload.rate * first.duration >= VICTIM_REQUESTS
    assert (first.start, first.duration, second.start, second.duration) == (11, 8.25, 13.75, 11)
    assert wide.workload.duration == 44
    assert wide.expectations == scenario.expectations


def test_a_find_with_no_baseline_comparison_keeps_its_times(tmp_path: Path) -> None:
    drawn = {**ISOLATION, "expectations": [{"honest_status": True}]}
    scenario = Scenario.model_validate(drawn)
    assert widened(scenario) == (scenario, 1.0)


def test_a_slow_workload_is_widened_at_most_six_times() -> None:
    slow = {**ISOLATION, "workload": {**ISOLATION["workload"], "rate": "1/s"}}
    assert widened(Scenario.model_validate(slow))[1] == MAX_WIDENING


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(experiments(FaultSpace(victims=("acme", "globex"), abusers=("initech",))))
def test_drawn_experiments_run_widened_and_their_files_read_back(scenario: Scenario) -> None:
    windows = [timed.duration for timed in scenario.faults]
    if any(e.kind == "status_vs_baseline" for e in scenario.expectations):
        held = scenario.workload.rate * min(windows)  # victim requests in the shortest one
        assert held >= VICTIM_REQUESTS or widened(scenario)[1] > 1  # the cap only
    find = SimpleNamespace(promise="tenant isolation", scenario=scenario)
    with tempfile.TemporaryDirectory() as folder:
        text = write_find(Path(folder), find, index=1, how=["found"]).read_text()
    assert parse_yaml_model(text, Scenario).faults == scenario.faults
