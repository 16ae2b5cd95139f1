"""The catalogue of deliberately broken builds of the reference orchestrator.

Each mutant is one module here (the file name, with `-` for `_`, is its name) holding:

    DEFECT     one line: what is broken
    SCENARIOS  the core scenarios aimed at the defect (the run's `--only` subset)
    apply()    switch the defect on, by monkeypatching the orchestrator in this process

The product carries no switch for any of them: a mutant patches the orchestrator from
outside, before the service starts (see serve.py).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

MUTANTS_DIR = Path(__file__).resolve().parent
_NOT_MUTANTS = {"catalogue", "serve"}


def mutant_names() -> list[str]:
    """Every mutant in the catalogue, by name."""
    return sorted(
        path.stem.replace("_", "-")
        for path in MUTANTS_DIR.glob("*.py")
        if path.stem not in _NOT_MUTANTS and not path.stem.startswith("_")
    )


def load_mutant(name: str) -> ModuleType:
    """The mutant's module (not yet applied); `LookupError` names the known mutants."""
    if name not in mutant_names():
        raise LookupError(f"no mutant named {name!r}; known: {', '.join(mutant_names())}")
    if str(MUTANTS_DIR) not in sys.path:
        sys.path.insert(0, str(MUTANTS_DIR))
    return importlib.import_module(name.replace("-", "_"))
