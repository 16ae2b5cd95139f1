"""Scenario files: valid examples load; each mistake is one line with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos.faults import CrossTenantQueryFault, LatencyFault
from chaos.schedule import fault_spans
from scenarios.spec.expectations import SecurityRefusals, StatusMix, ToolErrors
from scenarios.spec.loader import load_scenario, load_suite
from vocabulary import Phase, YamlInputError

EXAMPLES = Path(__file__).parent / "examples"
CASCADE = (EXAMPLES / "metrics-latency-cascade.yaml").read_text(encoding="utf-8")


def test_examples_load() -> None:
    cascade = load_scenario(EXAMPLES / "metrics-latency-cascade.yaml")
    assert cascade.workload.duration == 20.0 and cascade.workload.rate == 10.0
    assert isinstance(cascade.faults[0].fault, LatencyFault)
    assert [span.window.end for span in fault_spans(cascade.faults, cascade.method_s)] == [8.0]
    status, tool_errors = cascade.expectations[0], cascade.expectations[1]
    assert isinstance(status, StatusMix) and status.phase == Phase.FAULT.value
    assert status.status["partial"].holds(0.85) and not status.status["partial"].holds(0.5)
    assert (
        isinstance(tool_errors, ToolErrors)
        and tool_errors.tool_errors["metrics"][0].value == "timeout"
    )
    boundary = load_scenario(EXAMPLES / "tenant-boundary.yaml")
    assert (
        isinstance(boundary.attacks[0], CrossTenantQueryFault) and boundary.attacks[0].share == 0.25
    )
    refusals = boundary.expectations[1]
    assert isinstance(refusals, SecurityRefusals) and len(refusals.security_refusals.codes) == 2


def _error(tmp_path: Path, text: str) -> YamlInputError:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlInputError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}:")
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ("concurrency: 4", "concurency: 4", 9, "workload.concurency", "unknown key"),
        ("concurrency: 4", "concurrency: four", 9, "workload.concurrency", "got 'four'"),
        ("  duration: 20s\n", "", 5, "workload", "exactly one of 'requests' or 'duration'"),
        ("start: 2s", "start: 2", 17, "faults[0].start", "expected a duration like '500ms'"),
        ("duration: 6s", "duration: 6 seconds", 18, "faults[0].duration", "expected a duration"),
        ("duration: 6s", "duration: 30s", 18, "faults[0].duration", "end by 20s"),
        ("kind: latency", "kind: latncy", 16, "faults[0].fault.kind", "got 'latncy'"),
        ("latency_ms: 3000}", "}", 16, "faults[0].fault.latency_ms", "required field is missing"),
        (
            'partial: ">= 0.8"',
            'partial: "0.8"',
            20,
            "expectations[0].status.partial",
            "ratio bound like",
        ),
        (
            "phase: fault\n  - tool",
            "phase: during\n  - tool",
            21,
            "expectations[0].phase",
            "got 'during'",
        ),
        (
            "- max_latency_ms: 2500",
            "- max_latency: 2500",
            24,
            "expectations[2]",
            "exactly one of the keys",
        ),
        ("[timeout]", "[timeot]", 22, "expectations[1].tool_errors.metrics[0]", "got 'timeot'"),
        (
            "window: 10s",
            "window: 10s\n    window: 20s",
            31,
            "stop_conditions[0].window",
            "duplicate key",
        ),
        ("name: metrics-latency-cascade", "name: Metrics Latency", 1, "name", "pattern"),
    ],
)
def test_malformed_scenario(
    tmp_path: Path, old: str, new: str, line: int, field: str, says: str
) -> None:
    assert old in CASCADE
    error = _error(tmp_path, CASCADE.replace(old, new, 1))
    assert (error.line, error.field) == (line, field)
    assert says in str(error)


def test_phase_scoped_expectation_needs_faults(tmp_path: Path) -> None:
    text = (
        CASCADE.split("faults:")[0]
        + "expectations:\n  - max_latency_ms: 100\n    phase: recovery\n"
    )
    error = _error(tmp_path, text)
    assert (error.line, error.field) == (17, "expectations[0].phase")


def test_security_refusals_need_attacks(tmp_path: Path) -> None:
    text = (
        (EXAMPLES / "tenant-boundary.yaml")
        .read_text(encoding="utf-8")
        .replace("attacks:", "unused:")
    )
    text = text.replace(
        "unused:\n  - {kind: cross_tenant_query, share: 0.25}\n"
        "  - {kind: forged_api_key, share: 0.1}\n",
        "",
    )
    error = _error(tmp_path, text)
    assert (error.line, error.field) == (11, "expectations[0]")


def test_bad_yaml_and_empty_file(tmp_path: Path) -> None:
    error = _error(tmp_path, CASCADE.replace("tags: [network, timeout]", "tags: [network, timeout"))
    assert error.line is not None and "not valid YAML" in str(error)
    assert str(_error(tmp_path, "\n# nothing yet\n")) == f"{tmp_path / 'scenario.yaml'}: empty"
    with pytest.raises(YamlInputError, match="scenario file not found"):
        load_scenario(tmp_path / "absent.yaml")


def test_suite_from_a_folder_and_duplicate_names(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "a.yaml").write_text(CASCADE, encoding="utf-8")
    (suite / "b.yaml").write_text(
        (EXAMPLES / "tenant-boundary.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert [scenario.name for scenario in load_suite(suite)] == [
        "metrics-latency-cascade",
        "tenant-boundary",
    ]
    (suite / "c.yaml").write_text(CASCADE, encoding="utf-8")
    with pytest.raises(YamlInputError) as caught:
        load_suite(suite)
    assert str(caught.value).startswith(
        f"{suite / 'c.yaml'}:1: field 'name': duplicate scenario name"
    )
    assert str(suite / "a.yaml") in str(caught.value)


def test_unknown_suite_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(YamlInputError, match="no such suite"):
        load_suite("no-such-suite")
    (tmp_path / "empty").mkdir()
    with pytest.raises(YamlInputError, match="no scenario files"):
        load_suite(tmp_path / "empty")
