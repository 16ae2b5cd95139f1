"""Find and load scenario files: one file, or a suite (a folder of `*.yaml`).

    load_scenario("my-scenario.yaml")   # -> Scenario
    load_suite("core")                  # built-in: scenarios/core/*.yaml
    load_suite("path/to/folder")        # any folder of scenario files
    load_suite("core", promises=Promises())   # judged against what a system declares

A scenario is read for the promises in effect (default: the reference's own): its `=...`
numbers take their values, and what the system does not declare is set aside
(`Scenario.not_judged`, `Scenario.not_applicable`; see `promise_resolution`).

Every mistake is a `YamlInputError` (one line: file, line, field), so the CLI can print
it and exit 2.
"""

from __future__ import annotations

from pathlib import Path

from contract import Promises
from vocabulary import YamlInputError, load_yaml_model

from .model import Scenario
from .promise_resolution import PromiseResolver
from .promises_file import reference_promises

__all__ = ["BUILTIN_SUITES_DIR", "builtin_suites", "load_scenario", "load_suite"]

BUILTIN_SUITES_DIR = Path(__file__).resolve().parents[1]


def load_scenario(path: str | Path, promises: Promises | None = None) -> Scenario:
    """Read and validate one scenario file, judged against `promises` (default: the
    reference's)."""
    resolver = PromiseResolver(promises if promises is not None else reference_promises())
    scenario = load_yaml_model(path, Scenario, what="scenario file", prepare=resolver.resolve)
    return resolver.apply(scenario)


def builtin_suites() -> list[str]:
    """Names of the suites shipped with Gauntlet (folders of scenarios/ holding YAML files)."""
    return sorted(
        folder.name
        for folder in BUILTIN_SUITES_DIR.iterdir()
        if folder.is_dir() and not folder.name.startswith(("_", ".")) and any(folder.glob("*.yaml"))
    )


def load_suite(name_or_dir: str | Path, promises: Promises | None = None) -> list[Scenario]:
    """Every scenario of a suite, in file-name order; scenario names must be unique.

    A value naming an existing folder is used as is; otherwise it names a built-in suite.
    """
    folder = _suite_folder(name_or_dir)
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise YamlInputError(str(folder), "no scenario files (*.yaml) in this suite folder")
    first_file_of: dict[str, Path] = {}
    scenarios: list[Scenario] = []
    for path in files:
        scenario = load_scenario(path, promises)
        if scenario.name in first_file_of:
            raise YamlInputError(
                str(path),
                f"duplicate scenario name {scenario.name!r}, "
                f"already used by {first_file_of[scenario.name]}",
                line=_line_of_name(path),
                field="name",
            )
        first_file_of[scenario.name] = path
        scenarios.append(scenario)
    return scenarios


def _suite_folder(name_or_dir: str | Path) -> Path:
    candidate = Path(name_or_dir)
    if candidate.is_dir():
        return candidate
    if isinstance(name_or_dir, str) and name_or_dir in builtin_suites():
        return BUILTIN_SUITES_DIR / name_or_dir
    known = ", ".join(builtin_suites()) or "none installed"
    raise YamlInputError(
        str(name_or_dir), f"no such suite folder or built-in suite (built-in: {known})"
    )


def _line_of_name(path: Path) -> int | None:
    # The file already parsed, so a top-level `name:` key exists; find its line for the message.
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("name:"):
            return number
    return None
