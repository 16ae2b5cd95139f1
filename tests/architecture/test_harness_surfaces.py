"""Each harness package's public surface is what its `__init__` names; the rest may change."""

from __future__ import annotations

import importlib

import pytest

SURFACES = {
    "vocabulary": [
        "ANSWERED",
        "API_KEY_HEADER",
        "Answer",
        "Asked",
        "Comparison",
        "FaultWindow",
        "NestedFieldError",
        "ORCHESTRATE_PATH",
        "Observation",
        "ObservationFileError",
        "Phase",
        "RatioBound",
        "RatioBoundField",
        "STATUSES",
        "Status",
        "YamlInputError",
        "judge_answer",
        "load_yaml_model",
        "parse_ratio_bound",
        "parse_yaml_model",
        "phase_at",
        "phase_during",
        "read_observations",
        "unknown_name",
        "write_observations",
    ],
    "chaos": [
        "Duration",
        "FaultSpan",
        "PositiveDuration",
        "Rate",
        "TimedFault",
        "World",
        "check_schedule_fits",
        "fault_spans",
        "format_duration",
        "open_world",
        "parse_duration",
    ],
    "load": [
        "LoadInputError",
        "LoadProfile",
        "LoadRunOptions",
        "LoadRunResult",
        "builtin_profiles",
        "load_profile",
        "run_load",
    ],
    "slo": [
        "BaselineFileError",
        "BaselineReport",
        "Check",
        "Evaluation",
        "Filters",
        "Objective",
        "ObjectiveResult",
        "SloFileError",
        "SloSpec",
        "TimeSeries",
        "evaluate",
        "evaluate_files",
        "load_slo_file",
        "load_slo_files",
        "overall_verdict",
        "print_report",
        "verdict_exit_code",
        "write_reports",
    ],
    "scenarios": ["Scenario", "builtin_suites", "load_scenario", "load_suite"],
    "scenarios.cli": ["app", "main"],
    "scenarios.spec": [
        "AnyExpectation",
        "BUILTIN_SUITES_DIR",
        "EXPECTATION_KINDS",
        "Scenario",
        "SteadyState",
        "StopCondition",
        "Workload",
        "builtin_suites",
        "load_scenario",
        "load_suite",
    ],
    "scenarios.runner": [
        "RunOptions",
        "ScenarioResult",
        "run_experiment",
        "run_suite",
        "service_config",
    ],
}


@pytest.mark.parametrize("package", sorted(SURFACES))
def test_the_public_surface_is_pinned_and_resolves(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == SURFACES[package]
    assert [name for name in module.__all__ if getattr(module, name, None) is None] == []
