"""Imports flow one way; each package's allowed project imports, read from its syntax tree.

    vocabulary  imports none of the project's packages
    slo         vocabulary
    chaos       vocabulary, orchestrator (the schema grants the roles the tools assume)
    load        vocabulary, slo, chaos, orchestrator (it starts the service), never scenarios
    scenarios   any of them (it is the top)
    orchestrator none: it knows nothing of the harness

Every `import` and `from ... import` counts, including those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("vocabulary", "slo", "chaos", "load", "scenarios", "orchestrator")
ALLOWED = {
    "vocabulary": set(),
    "slo": {"vocabulary"},
    "chaos": {"vocabulary", "orchestrator"},
    "load": {"vocabulary", "slo", "chaos", "orchestrator"},
    "scenarios": {"vocabulary", "slo", "chaos", "load", "orchestrator"},
    "orchestrator": set(),
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


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_what_lies_below_it(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported - ALLOWED[package] - {package})
        for path in sorted((ROOT / package).rglob("*.py"))
        if (imported := project_imports(path)) - ALLOWED[package] - {package}
    }
    assert offenders == {}


def test_the_reader_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from scenarios.cli import app\n    import slo.spec, json\n")
    assert project_imports(module) == {"scenarios", "slo"}
