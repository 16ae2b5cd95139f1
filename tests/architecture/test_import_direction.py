"""Imports flow one way; each package's allowed project imports, read from its syntax tree.

    contract     imports none of the project's packages: it is the bottom
    vocabulary   contract
    slo          contract, vocabulary
    chaos        contract, vocabulary
    target       contract, vocabulary, chaos: starting the system under test
    load         contract, vocabulary, slo, chaos, target, never scenarios
    scenarios    any harness package
    orchestrator contract only: it knows nothing of the harness

The harness judges a system only through the contract: no harness module imports the
reference orchestrator, except the reference-only commands (`gauntlet serve`, `gauntlet
demo`), which run the reference itself. Other code starts the reference by command line
(`python -m orchestrator.service`), never by import.

Every `import` and `from ... import` counts, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("contract", "vocabulary", "slo", "chaos", "target", "load", "scenarios", "orchestrator")
HARNESS = ("vocabulary", "slo", "chaos", "target", "load", "scenarios")
ALLOWED = {
    "contract": set(),
    "vocabulary": {"contract"},
    "slo": {"contract", "vocabulary"},
    "chaos": {"contract", "vocabulary"},
    "target": {"contract", "vocabulary", "chaos"},
    "load": {"contract", "vocabulary", "slo", "chaos", "target"},
    "scenarios": {"contract", "vocabulary", "slo", "chaos", "target", "load"},
    "orchestrator": {"contract"},
}
# The commands that exist to run the reference itself, in this process.
REFERENCE_ONLY = {
    "scenarios/cli/cmd_serve.py",  # gauntlet serve
    "scenarios/cli/serve_stack.py",  # the reference on a seeded Postgres, for serve
    "scenarios/cli/cmd_demo.py",  # gauntlet demo
    "scenarios/cli/demo_orchestration.py",  # the reference's executor, for demo
}


def project_imports(path: Path) -> set[str]:
    """The project packages a module imports (relative imports stay inside its own)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(top for name in names if (top := name.split(".")[0]) in PACKAGES)
    return found


def _offenders(package: str) -> dict[str, list[str]]:
    allowed = ALLOWED[package] | {package}
    offenders = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        extra = project_imports(path) - allowed - _reference_only(where)
        if extra:
            offenders[where] = sorted(extra)
    return offenders


def _reference_only(where: str) -> set[str]:
    return {"orchestrator"} if where in REFERENCE_ONLY else set()


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_what_lies_below_it(package: str) -> None:
    assert _offenders(package) == {}


def test_the_harness_never_imports_the_reference_but_to_run_it() -> None:
    importers = {
        path.relative_to(ROOT).as_posix()
        for package in HARNESS
        for path in (ROOT / package).rglob("*.py")
        if "orchestrator" in project_imports(path)
    }
    assert importers <= REFERENCE_ONLY, sorted(importers - REFERENCE_ONLY)


def test_the_contract_imports_nothing_of_the_project() -> None:
    imported = {
        path.name: sorted(found)
        for path in sorted((ROOT / "contract").rglob("*.py"))
        if (found := project_imports(path))
    }
    assert imported == {}


def test_the_reader_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from scenarios.cli import app\n    import slo.spec, json\n")
    assert project_imports(module) == {"scenarios", "slo"}


def test_a_harness_module_importing_the_reference_is_found(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from orchestrator.contracts import ToolErrorCode\n")
    assert project_imports(module) == {"orchestrator"}
