"""The catalogue of deliberately broken builds of the reference orchestrator.

Each mutant is one module here (the file name, with `-` for `_`, is its name) holding:

    DEFECT     one line: what is broken
    SCENARIOS  the core scenarios aimed at the defect (the run's `--only` subset)
    apply()    switch the defect on, by monkeypatching the orchestrator in this process

The product carries no switch for any of them: a mutant patches the orchestrator from
outside, before the service starts (see serve.py). Every patch goes through `replace`,
which refuses a name the orchestrator no longer has: a rename must disarm no mutant
silently (tests/bench applies each one in a process of its own).
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

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


class StaleMutant(LookupError):
    """A mutant patches a name the orchestrator no longer has."""


def replace(owner: Any, name: str, value: Any) -> Any:
    """Set `owner.name` to `value` and hand back what was there; refuses a missing name."""
    if not hasattr(owner, name):
        where = getattr(owner, "__qualname__", None) or getattr(owner, "__name__", repr(owner))
        raise StaleMutant(f"{where} has no attribute {name!r}: the mutant no longer applies")
    original = getattr(owner, name)
    setattr(owner, name, value)
    return original


def require_fields(dataclass_type: type, *names: str) -> None:
    """Refuse fields a mutant rewrites with `dataclasses.replace` that the type lost."""
    missing = set(names) - {field.name for field in dataclasses.fields(dataclass_type)}
    if missing:
        raise StaleMutant(
            f"{dataclass_type.__qualname__} has no field {', '.join(sorted(missing))}: "
            "the mutant no longer applies"
        )
