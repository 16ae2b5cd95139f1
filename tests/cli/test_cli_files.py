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
    folders = [
        BUILTIN_SUITES_DIR / "core",
        REPO / "slo" / "examples",
        REPO / "load" / "inputs" / "profiles",
    ]
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
def test_a_bad_file_is_one_line_naming_it_and_the_next_files_are_still_checked(
    tmp_path: Path, change: tuple[str, str], says: str
) -> None:
    bad, good = tmp_path / "a-bad.yaml", tmp_path / "b-good.yaml"
    gauntlet("init", good)
    assert change[0] in good.read_text()
    bad.write_text(good.read_text().replace(*change, 1))
    result = gauntlet("validate", tmp_path)
    assert result.exit_code == exit_codes.BAD_INPUT
    assert result.stdout.splitlines() == [f"ok  {good}  (scenario my-first-scenario)"]
    error, summary = result.stderr.splitlines()
    assert error.startswith(f"gauntlet validate: {bad}:") and says in error
    assert summary == "gauntlet validate: 1 problem(s); 1 valid file(s)"


def test_validate_reports_every_mistake_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "name: x\n"
        "workload: {concurency: 2, duration: 10s, tenants: [acme],\n"
        "  intents: [{intent: service_overview, parameters: {service: checkout}}]}\n"
        "faults:\n"
        "  - {fault: {kind: latency, upstream: metrics, latency_ms: 3 seconds}, start: 1s}\n"
    )
    (tmp_path / "b.yaml").write_text("objectives:\n  - {name: f, ratio: partiall, max: 0.05}\n")
    result = gauntlet("validate", tmp_path, tmp_path / "missing.yaml")
    assert result.exit_code == exit_codes.BAD_INPUT and result.stdout == ""
    assert [line.split(": field ")[0] for line in result.stderr.splitlines()] == [
        "gauntlet validate: " + str(tmp_path / "missing.yaml") + ": no such file or folder",
        f"gauntlet validate: {tmp_path / 'a.yaml'}:2",  # concurency (not the missing it causes)
        f"gauntlet validate: {tmp_path / 'a.yaml'}:5",  # latency_ms in words
        f"gauntlet validate: {tmp_path / 'b.yaml'}:2",
        "gauntlet validate: 4 problem(s); 0 valid file(s)",
    ]


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


def test_list_faults_speaks_in_plain_types_and_whole_sentences() -> None:
    faults = gauntlet("list", "faults").output
    assert "PydanticUndefined" not in faults and "Constraints(" not in faults
    assert "typing." not in faults and "roles (list[str] | None) = None" in faults
    assert "payloads (list[str]) = [" in faults  # a default built by a factory, shown
    descriptions: dict[str, str] = {}
    for line in faults.splitlines():
        if not line.startswith(" "):
            kind = line.split()[0]
            descriptions[kind] = line[len(kind) :].strip()
        elif line.startswith(" " * 21):  # a description wrapped onto the next line
            descriptions[kind] += " " + line.strip()
    cut = {kind: text for kind, text in descriptions.items() if not text.endswith(".")}
    assert not cut  # e.g. audit_id_squat read "first from the request's tenant,"


def test_list_scenarios_with_an_unknown_tag_says_nothing_matched() -> None:
    result = gauntlet("list", "scenarios", "--tag", "securty")
    assert result.exit_code == exit_codes.BAD_INPUT and result.stdout == ""
    assert "no scenario of 'core' matched: unknown tag 'securty' (did you mean 'security'?)" in (
        result.stderr
    )


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
    [line] = [line for line in result.output.splitlines() if "typo.yaml:" in line]
    assert "typo.yaml:" in line and "field 'expectations[1].tool_errors.metric'" in line
    assert "(did you mean 'metrics'?)" in line


def test_schema_report_prints_the_published_schema() -> None:
    import json

    result = gauntlet("schema", "report")
    assert result.exit_code == exit_codes.OK
    schema = json.loads(result.output)
    assert "interrupted" in json.dumps(schema)


@pytest.mark.parametrize("command", [("validate",), ("load", "--profile")])
def test_a_tenant_attack_in_a_load_profile_is_refused_in_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    profile = tmp_path / "attacked.yaml"
    spike = (REPO / "load" / "inputs" / "profiles" / "spike.yaml").read_text()
    profile.write_text(spike + "chaos:\n  - {fault: {kind: injection}, start: 5s, duration: 5s}\n")
    result = gauntlet(*command, profile)
    assert result.exit_code == exit_codes.BAD_INPUT
    # validate adds its count of problems after the one line; load stops at the line
    assert result.output.strip().splitlines()[:1] == [
        f"gauntlet {command[0]}: {profile}:{len(spike.splitlines()) + 2}: field "
        "'chaos[0].fault.kind': expected a fault of "
        "the world, got tenant attack 'injection': tenant attacks run in scenarios, not load "
        "profiles"
    ]


def test_a_tenant_attack_in_a_faults_file_is_refused_in_one_line(tmp_path: Path) -> None:
    faults = tmp_path / "faults.yaml"
    faults.write_text("faults:\n  - {fault: {kind: forged_api_key}, start: 1s}\n")
    result = gauntlet("load", "--profile", "spike", "--faults", faults)
    assert result.exit_code == exit_codes.BAD_INPUT
    assert result.output.strip().splitlines() == [
        f"gauntlet load: {faults}:2: field 'faults[0].fault.kind': expected a fault of the world, "
        "got tenant attack 'forged_api_key': tenant attacks run in scenarios, not load profiles"
    ]
