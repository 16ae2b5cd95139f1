"""A find judged against the victims' baseline is written with its times widened, so that
a fixed system can pass it; other finds are written as the search ran them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import yaml

from scenarios.explore.find_file import REPLAY_REQUESTS, widened, write_find
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
    assert wide.workload.rate * first.duration >= REPLAY_REQUESTS
    assert (first.start, first.duration, second.start, second.duration) == (11, 8.25, 13.75, 11)
    assert wide.workload.duration == 44
    assert wide.expectations == scenario.expectations


def test_a_find_with_no_baseline_comparison_keeps_its_times(tmp_path: Path) -> None:
    drawn = {**ISOLATION, "expectations": [{"honest_status": True}]}
    scenario = Scenario.model_validate(drawn)
    assert widened(scenario) == (scenario, 1.0)
    find = SimpleNamespace(promise="honest status", scenario=scenario)
    written = write_find(tmp_path, find, index=1, how=["found"]).read_text()
    assert parse_yaml_model(written, Scenario).faults == scenario.faults


def test_the_written_file_says_it_was_widened_and_reads_back(tmp_path: Path) -> None:
    find = SimpleNamespace(promise="tenant isolation", scenario=Scenario.model_validate(ISOLATION))
    text = write_find(tmp_path, find, index=1, how=["found"]).read_text()
    assert "5.5x those the search ran" in text
    assert yaml.safe_load(text)["workload"]["duration"] == "44s"
    assert parse_yaml_model(text, Scenario).faults[0].duration == 8.25
