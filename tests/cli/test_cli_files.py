"""`gauntlet validate`, `list` and `init`: files checked without starting anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli import app
from scenarios.spec.loader import BUILTIN_SUITES_DIR

REPO = Path(__file__).resolve().parents[2]


def gauntlet(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})


def test_every_shipped_scenario_slo_and_profile_is_valid() -> None:
    folders = [BUILTIN_SUITES_DIR / "core", REPO / "slo" / "examples", REPO / "load" / "profiles"]
    result = gauntlet("validate", *folders)
    assert result.exit_code == exit_codes.OK, result.output
    kinds = {line.split("(")[1].split()[0] for line in result.output.splitlines()}
    assert kinds == {"scenario", "SLO", "load"}


def test_init_writes_a_scenario_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    assert gauntlet("init", target, "--name", "mine").exit_code == exit_codes.OK
    assert gauntlet("validate", target).exit_code == exit_codes.OK
    again = gauntlet("init", target)
    assert again.exit_code == exit_codes.BAD_INPUT and "--force" in again.output


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            ("service_overview, weight", "service_overveiw, weight"),
            "unknown intent 'service_overveiw' (did you mean 'service_overview'?)",
        ),
        (("tenants: [acme, globex]", "tenants: [acme, globx]"), "did you mean 'globex'?"),
        (("kind: latency,", "kind: latncy,"), "(did you mean 'latency'?)"),
        (("latency_ms: 3000", "latency: 3000"), "latency"),
        (("{service: checkout}}", "{servic: checkout}}"), "unknown parameter(s) ['servic']"),
    ],
)
def test_the_first_bad_file_is_one_line_naming_it_and_exit_2(
    tmp_path: Path, change: tuple[str, str], says: str
) -> None:
    good, bad = tmp_path / "a-good.yaml", tmp_path / "b-bad.yaml"
    gauntlet("init", good)
    assert change[0] in good.read_text()
    bad.write_text(good.read_text().replace(*change, 1))
    result = gauntlet("validate", tmp_path)
    assert result.exit_code == exit_codes.BAD_INPUT
    *oks, error = result.output.strip().splitlines()
    assert oks == [f"ok  {good}  (scenario my-first-scenario)"]
    assert error.startswith(f"gauntlet validate: {bad}:") and says in error


def test_a_file_of_no_known_kind_or_not_yaml_is_named(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("colour: blue\n")
    result = gauntlet("validate", unknown)
    assert result.exit_code == exit_codes.BAD_INPUT
    assert f"{unknown}: cannot tell what this file is" in result.output
    toml = gauntlet("validate", REPO / "pyproject.toml")
    assert toml.exit_code == exit_codes.BAD_INPUT and "pyproject.toml:2: not valid YAML" in (
        toml.output
    )


def test_list_names_what_exists() -> None:
    faults = gauntlet("list", "faults").output
    assert "latency " in faults and "latency_ms (int, ms, >= 0)" in faults
    assert "delay_us (int, µs, >= 0) = 0" in faults and "rate_kbps (int, KB/s" in faults
    intents = gauntlet("list", "intents").output.splitlines()
    assert [line.split()[0] for line in intents] == [
        "ad_hoc_query",
        "incident_triage",
        "service_overview",
    ]
    assert [line.split()[0] for line in gauntlet("list", "tenants").output.splitlines()] == [
        "acme",
        "globex",
        "initech",
    ]
    tagged = gauntlet("list", "scenarios", "--tag", "security").output
    assert "cross-tenant-query" in tagged and "metrics-latency-cascade" not in tagged
    assert max(len(line) for line in gauntlet("list", "faults").output.splitlines()) <= 80


def test_list_tools_names_the_contracts_tools_one_line_each() -> None:
    import contract

    lines = gauntlet("list", "tools").output.splitlines()
    assert [line.split()[0] for line in lines] == list(contract.TOOL_IDS)
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)  # each has a description


def test_validate_refuses_an_expectation_on_a_tool_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    gauntlet("init", path)
    path.write_text(path.read_text().replace("tool_errors: {metrics:", "tool_errors: {metric:"))
    result = gauntlet("validate", path)
    assert result.exit_code == exit_codes.BAD_INPUT
    [line] = result.output.strip().splitlines()
    assert "typo.yaml:" in line and "field 'expectations[1].tool_errors.metric'" in line
    assert "(did you mean 'metrics'?)" in line


def test_schema_report_prints_the_published_schema() -> None:
    import json

    result = gauntlet("schema", "report")
    assert result.exit_code == exit_codes.OK
    schema = json.loads(result.output)
    assert "interrupted" in json.dumps(schema)
