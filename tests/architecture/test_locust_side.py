"""What the gevent-patched Locust process may import, read from the syntax trees.

`load/in_locust/` runs inside Locust's process, after gevent has monkey-patched the
standard library. Whatever it imports (and whatever those modules import, down to each
package's `__init__`) runs patched too, so the set is kept small and pinned: pure modules
of the load inputs, the batch ledger, the contract and the shared vocabulary. An asyncio
driver, the runner, Postgres or the terminal libraries must never be pulled in.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCUST_SIDE = ROOT / "load" / "in_locust"
PROJECT = {"contract", "vocabulary", "slo", "chaos", "target", "load", "scenarios", "orchestrator"}
ALLOWED_PROJECT_MODULES = {
    "contract",
    *(f"contract.{name}" for name in ("_environment", "_error_codes", "_intents", "_roles")),
    "contract._promises",  # loaded by contract only on first use of a promise name
    *(f"contract.{name}" for name in ("_status", "_tools", "_wire")),
    "load",
    "load.in_locust",
    "load.in_locust.locust_main",
    "load.in_locust.shipper",
    "load.in_locust.users",
    "load.inputs",
    "load.inputs.arrival",
    "load.inputs.run_config",
    "load.inputs.shape_replay",
    "load.transport",
    "load.transport.ledger",
    "vocabulary",
    *(f"vocabulary.{name}" for name in ("answer", "model_keys", "observation", "phase")),
    *(f"vocabulary.{name}" for name in ("ratio_bound", "status", "suggest", "unit_hints")),
    "vocabulary.yaml_input",
}
ALLOWED_THIRD_PARTY = {"locust", "gevent", "pydantic", "pydantic_core", "annotated_types", "yaml"}


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def locust_side_closure(start: list[str] | None = None) -> tuple[set[str], set[str]]:
    """(project modules, third-party top-level names) the Locust side (or `start`) reaches."""
    todo = start or [f"load.in_locust.{path.stem}" for path in LOCUST_SIDE.glob("[!_]*.py")]
    seen: set[str] = set()
    third_party: set[str] = set()
    while todo:
        name = todo.pop()
        parts = name.split(".")
        # Importing a.b.c runs a/__init__ and a/b/__init__ first.
        for depth in range(1, len(parts) + 1):
            module = ".".join(parts[:depth])
            path = _module_file(module)
            if module in seen or path is None:
                continue
            seen.add(module)
            for imported in _imports(path, module):
                top = imported.split(".")[0]
                if top in PROJECT:
                    todo.append(imported)
                elif top and top not in sys.stdlib_module_names:
                    third_party.add(top)
    return seen, third_party


def test_the_locust_process_imports_only_the_pinned_project_modules() -> None:
    modules, _ = locust_side_closure()
    assert modules - ALLOWED_PROJECT_MODULES == set()


def test_the_locust_process_imports_only_the_pinned_libraries() -> None:
    _, libraries = locust_side_closure()
    assert libraries - ALLOWED_THIRD_PARTY == set()


def test_an_asyncio_driver_reached_from_a_start_module_is_found() -> None:
    """The walk follows imports through other modules, so the pin can fail."""
    modules, libraries = locust_side_closure(["load.control.drive"])
    assert "load.control.drive" in modules - ALLOWED_PROJECT_MODULES
    assert "rich" in libraries - ALLOWED_THIRD_PARTY
