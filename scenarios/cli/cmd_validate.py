"""`gauntlet validate PATH...`: check scenario, SLO and load profile files without running.

A file's kind is read from its top-level keys: `workload` makes a scenario, `objectives`
(or OpenSLO's `apiVersion`) an SLO, `shape` a load profile. A folder is checked file by
file (`*.yaml`, `*.yml`, in name order). Every file is checked: each bad one gets one line
on stderr naming file, line and field, and any bad one makes the exit code 2. Scenarios are
read for the promises of `--promises FILE` (default: the reference's own), so a bad
`=...` expression or `needs:` is named too, and each scenario says what those promises
leave unjudged.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scenarios import exit_codes

if TYPE_CHECKING:
    from contract import Promises
    from scenarios.spec.model import Scenario

KINDS = "a scenario (workload:), an SLO (objectives: or apiVersion:) or a load profile (shape:)"


def validate(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", help="files, or folders of YAML files")
    ],
    promises: Annotated[
        Path | None,
        typer.Option(
            "--promises",
            metavar="FILE",
            show_default=False,
            help="read scenarios for these declared promises [default: the reference's own]",
        ),
    ] = None,
) -> None:
    """Exit 0 when every file is valid, 2 when any is not (each one named)."""
    from scenarios.spec.promises_file import promises_in_effect

    try:
        declared: Promises = promises_in_effect(promises, reference=True)
    except ValueError as exc:
        _problem(_one_line(str(exc)))
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    files: list[Path] = []
    problems = valid = 0
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                problems += _problem(f"{path}: no *.yaml files in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems += _problem(f"{path}: no such file or folder")
    for path in files:
        try:
            what = check_file(path, declared)
        except ValueError as exc:  # every loader's error is a ValueError of one line
            for each in getattr(exc, "all_errors", [exc]):  # a YAML file: every mistake in it
                problems += _problem(_one_line(str(each)))
            continue
        typer.echo(f"ok  {path}  ({what})")
        valid += 1
    if problems:
        typer.echo(f"gauntlet validate: {problems} problem(s); {valid} valid file(s)", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT)


def check_file(path: Path, promises: Promises | None = None) -> str:
    """Validate one file; returns what it is (`scenario NAME`, ...); raises `ValueError`.

    A scenario is read for `promises` (default: the reference's). A fault naming an
    upstream neither built in (ops, metrics) nor declared in `promises.upstreams` is
    refused."""
    from scenarios.spec.upstream_names import known_upstreams, refuse_unknown_upstreams
    from slo import load_slo_file
    from vocabulary import YamlInputError

    kind = _kind_of(path)
    known = known_upstreams(promises.upstreams if promises is not None else {})
    if kind == "scenario":
        from scenarios.spec.loader import load_scenario

        scenario = load_scenario(path, promises)
        refuse_unknown_upstreams(path, [*scenario.faults, *scenario.attacks], known)
        return _scenario_line(scenario)
    if kind == "slo":
        return f"SLO {load_slo_file(path).name}"
    if kind == "profile":
        from load.inputs.profile import load_profile

        profile = load_profile(path)
        refuse_unknown_upstreams(path, profile.chaos, known)
        return f"load profile {profile.name}"
    raise YamlInputError(str(path), f"cannot tell what this file is: expected {KINDS}")


def _scenario_line(scenario: Scenario) -> str:
    """`scenario NAME`, and what the promises leave unjudged in it."""
    if scenario.not_applicable is not None:
        return f"scenario {scenario.name}; not applicable: {scenario.not_applicable}"
    unjudged = "; ".join(sorted({why for _, why in scenario.not_judged}))
    count = len(scenario.not_judged)
    return f"scenario {scenario.name}" + (f"; {count} not judged: {unjudged}" if count else "")


def _kind_of(path: Path) -> str | None:
    import yaml

    from vocabulary import YamlInputError

    try:
        documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlInputError(str(path), f"cannot read: {exc}") from None
    except yaml.YAMLError:
        return "scenario"  # every loader reports a syntax error by line; this one will do
    first = documents[0] if documents else None
    if not isinstance(first, dict):
        return None
    if "workload" in first:
        return "scenario"
    if "objectives" in first or "apiVersion" in first:
        return "slo"
    if "shape" in first:
        return "profile"
    return None


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _problem(message: str) -> int:
    typer.echo(f"gauntlet validate: {message}", err=True)
    return 1
