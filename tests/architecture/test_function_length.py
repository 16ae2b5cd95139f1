"""No function of the project's packages runs past `MAX_LINES`.

A function is measured from its `def` line to its last line (decorators left out, its
signature and docstring in): what a reader has to hold at once. Most stay under 40; past
50, a function does several things, and each belongs in a function named for it. An
entry in `ALLOWED_LONGER` must say why its function cannot be split.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("orchestrator", "chaos", "scenarios", "load", "slo", "vocabulary", "contract", "target")
MAX_LINES = 50
# "path:function" -> why it cannot be split (keep this short, and empty if it can be)
ALLOWED_LONGER: dict[str, str] = {}


def function_lengths(path: Path, root: Path = ROOT) -> Iterator[tuple[str, int]]:
    """("path:name", lines) for every function and method in `path`, nested ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root).as_posix()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            yield f"{where}:{node.name}", node.end_lineno - node.lineno + 1


def project_functions() -> Iterator[tuple[str, int]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield from function_lengths(path)


def test_no_function_is_longer_than_the_limit() -> None:
    too_long = sorted(
        f"{name} has {lines} lines"
        for name, lines in project_functions()
        if lines > MAX_LINES and name not in ALLOWED_LONGER
    )
    assert not too_long, f"over {MAX_LINES} lines, split by idea:\n" + "\n".join(too_long)


def test_the_allowed_longer_functions_still_need_it() -> None:
    lengths = dict(project_functions())
    stale = [name for name in ALLOWED_LONGER if lengths.get(name, 0) <= MAX_LINES]
    assert not stale, f"no longer long (or gone): drop them from ALLOWED_LONGER: {stale}"


def test_the_measure_counts_from_def_to_last_line_and_finds_nested_ones(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "@decorated\n"
        "@twice\n"
        "def outer(\n"
        "    a,\n"
        "):\n"
        '    """Docstring."""\n'
        "    async def inner():\n"
        "        return a\n"
        "\n"
        "    return inner\n",
        encoding="utf-8",
    )
    assert dict(function_lengths(sample, root=tmp_path)) == {
        "sample.py:outer": 8,
        "sample.py:inner": 2,
    }
