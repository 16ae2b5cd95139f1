"""Bad input answered in the user's words: the closest known name, and the unit a field wants."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli import app

WORKLOAD = (
    "workload: {concurrency: 2, duration: 10s, tenants: [acme],\n"
    "  intents: [{intent: service_overview, parameters: {service: checkout}}]}\n"
)
PROFILE = "name: p\nduration: 1m\nintents: [{intent: service_overview}]\ntenants: [acme]\n"


def validate(tmp_path: Path, text: str) -> str:
    path = tmp_path / "file.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == exit_codes.BAD_INPUT, result.output
    *mistakes, summary = result.stderr.splitlines()
    assert summary.startswith("gauntlet validate: ") and "0 valid file(s)" in summary
    return mistakes[0]  # the first mistake of the file: the one to fix first


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "name: x\nworkload: {concurency: 2}\n",
            "field 'workload.concurency': unknown key (did you mean 'concurrency'?)",
        ),
        (
            "objectives:\n  - {name: f, ratio: partiall, max: 0.05}\n",
            "got 'partiall' (did you mean 'partial'?)",
        ),
        (
            "objectives:\n  - {name: f, ratio: failed, maxx: 0.05}\n",
            "field 'objectives[0].maxx': unknown key (did you mean 'max'?)",
        ),
        (
            PROFILE + "shape: {kind: ramp, from_users: 1, to_users: 5, over: 5s, too_users: 3}\n",
            "field 'shape.too_users': unknown key (did you mean 'to_users'?)",
        ),
        (
            # a fault is any registered kind: the keys come from the kind written
            "name: x\n" + WORKLOAD + "faults:\n"
            "  - {fault: {kind: latency, upstream: metrics, latency_ms: 5, jiter_ms: 1},\n"
            "     start: 1s}\n",
            "field 'faults[0].fault.jiter_ms': unknown key (did you mean 'jitter_ms'?)",
        ),
    ],
)
def test_an_unknown_name_suggests_the_closest_known_one(
    tmp_path: Path, text: str, says: str
) -> None:
    assert says in validate(tmp_path, text)


def test_an_unknown_key_with_nothing_close_lists_the_known_ones(tmp_path: Path) -> None:
    said = validate(tmp_path, "name: x\nworkload: {zzz: 2}\n")
    assert "unknown key, not allowed here (got 2); known: burst, concurrency," in said


def test_a_duration_in_a_milliseconds_field_names_the_unit(tmp_path: Path) -> None:
    said = validate(
        tmp_path,
        "name: x\n" + WORKLOAD + "faults:\n"
        "  - {fault: {kind: latency, upstream: metrics, latency_ms: 3 seconds}, start: 1s}\n",
    )
    assert "expected milliseconds, an integer, got '3 seconds'" in said


def test_a_unit_on_a_bare_number_points_at_the_field_with_the_unit(tmp_path: Path) -> None:
    said = validate(tmp_path, "objectives:\n  - {name: p, latency: p99, max: 500ms}\n")
    assert "expected a number without a unit (for a duration use 'max_ms'), got '500ms'" in said


def test_an_unknown_profile_suggests_the_closest_built_in() -> None:
    result = CliRunner().invoke(app, ["load", "--profile", "spikey"])
    assert result.exit_code == exit_codes.BAD_INPUT
    assert "(did you mean 'spike'?)" in result.stderr


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (
            ["latency_ms=3", "jiter_ms=3"],
            "latency: unknown field 'jiter_ms' (did you mean 'jitter_ms'?); known: jitter_ms,",
        ),
        (["jiter_ms=3"], "unknown field 'jiter_ms' (did you mean 'jitter_ms'?)"),
        (["latency_ms=3s"], "latency: latency_ms: expected milliseconds, an integer, got '3s'"),
        ([], "latency: latency_ms: required field is missing (write latency_ms=VALUE)"),
    ],
)
def test_fault_add_speaks_in_our_words(fields: list[str], says: str) -> None:
    result = CliRunner().invoke(app, ["fault", "add", "latency", "upstream=metrics", *fields])
    assert result.exit_code == exit_codes.BAD_INPUT
    assert says in result.stderr
    assert "Extra inputs" not in result.stderr and "Input should" not in result.stderr
