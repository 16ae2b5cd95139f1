"""One stop-condition model and one watch, shared by scenarios and load runs, on a made-up clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from chaos.stop_condition import StopCondition
from chaos.stop_watch import StopWatch
from load.inputs.profile import load_profile
from scenarios.spec import load_scenario
from vocabulary import YamlInputError

RATIO = StopCondition(failed_ratio_above=0.5, window="10s", min_requests=4)
INTENT = "{intent: service_overview, parameters: {service: checkout}}"


def _statuses(watch: StopWatch, statuses: list[str], at_s: float) -> None:
    watch.add([(5.0, status) for status in statuses], now_s=at_s)


def test_a_failed_ratio_trips_only_over_enough_recent_requests() -> None:
    watch = StopWatch([RATIO])
    _statuses(watch, ["failed"] * 3, at_s=100.0)
    assert watch.tripped(100.0) is None  # 3 requests: not enough evidence yet
    _statuses(watch, ["success"], at_s=101.0)
    tripped = watch.tripped(101.0)
    assert tripped is not None and tripped.index == 0
    assert str(tripped) == (
        "stop condition 0 tripped: failed ratio 0.75 > 0.5 (3 of 4 requests) over the last 10s"
    )
    assert watch.tripped(111.5) is None  # the window moved past them


def test_exactly_at_the_bound_is_not_above_it() -> None:
    watch = StopWatch([RATIO])
    _statuses(watch, ["failed", "failed", "success", "partial"], at_s=3.0)
    assert watch.tripped(3.0) is None


def test_an_answer_exactly_one_window_old_has_left_it() -> None:
    watch = StopWatch([RATIO])
    _statuses(watch, ["failed"] * 4, at_s=0.0)
    assert watch.tripped(9.9) is not None
    assert watch.tripped(10.0) is None


def test_a_latency_quantile_trips_above_its_bound() -> None:
    latency = StopCondition.model_validate({"latency_above": "1s", "quantile": 0.9})
    watch = StopWatch([StopCondition.model_validate({"failed_ratio_above": 0.9}), latency])
    watch.add([(100.0, "success")] * 9 + [(5000.0, "partial")], now_s=0.0)
    assert watch.tripped(0.0) is None  # p90 of ten is the 9th fastest: 100 ms
    watch.add([(5000.0, "success")], now_s=1.0)
    tripped = watch.tripped(1.0)
    assert tripped is not None and tripped.index == 1
    assert "p90 latency 5000 ms above 1s (11 requests) over the last 10s" in str(tripped)


def test_counted_statuses_are_configurable() -> None:
    strict = StopCondition.model_validate(
        {"failed_ratio_above": 0.2, "min_requests": 2, "statuses": ["failed", "degraded"]}
    )
    watch = StopWatch([RATIO, strict])
    _statuses(watch, ["degraded", "success", "degraded"], at_s=1.0)
    tripped = watch.tripped(1.0)
    assert tripped is not None and tripped.index == 1
    assert "failed/degraded ratio 0.67" in str(tripped)
    assert StopWatch([]).tripped(1.0) is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "expected exactly one of failed_ratio_above or latency_above"),
        ({"failed_ratio_above": 0.5, "latency_above": "1s"}, "exactly one of"),
        ({"failed_ratio_above": 1.0}, "expected a ratio below 1"),
        ({"latency_above": "1s", "quantile": 1.5}, "less than 1"),
        ({"failed_ratio_above": 0.5, "window": "0s"}, "window"),
        ({"failed_ratio_above": 0.5, "stop": True}, "Extra inputs are not permitted"),
    ],
)
def test_a_stop_condition_says_what_is_wrong(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        StopCondition.model_validate(fields)


def test_a_scenario_and_a_load_profile_read_the_same_condition(tmp_path: Path) -> None:
    condition = "{latency_above: 2s, window: 5s}"
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\nduration: 10s\nshape: {kind: soak, users: 1}\n"
        f"intents: [{INTENT}]\ntenants: [acme]\n"
        f"stop_conditions:\n  - {condition}\n"
    )
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"name: s\nworkload:\n  intents: [{INTENT}]\n  tenants: [acme]\n  requests: 5\n"
        f"stop_conditions:\n  - {condition}\n"
    )
    (from_profile,) = load_profile(profile).stop_conditions
    (from_scenario,) = load_scenario(scenario).stop_conditions
    assert from_profile == from_scenario == StopCondition(latency_above="2s", window="5s")


def test_a_bad_condition_in_a_scenario_is_one_line_naming_the_field(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"name: s\nworkload:\n  intents: [{INTENT}]\n  tenants: [acme]\n  requests: 5\n"
        "stop_conditions:\n  - {window: 5s}\n"
    )
    with pytest.raises(YamlInputError) as error:
        load_scenario(scenario)
    assert "\n" not in str(error.value) and "stop_conditions[0]" in str(error.value)
    assert "expected exactly one of failed_ratio_above or latency_above" in str(error.value)
