"""Read a promises file (YAML or JSON), and find the reference orchestrator's own.

    load_promises("promises.yaml")        # -> contract.Promises, or a one-line YamlInputError
    promises_in_effect(None, reference=True)  # the reference's promises file

Which promises a run judges against: the file given with `--promises`; else, for the
reference (the default target), the file it ships (`orchestrator/promises.yaml`); else
none, and the scenarios judge only the universal promises.
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path

from contract import Promises
from vocabulary import YamlInputError, load_yaml_model

__all__ = [
    "promises_source",
    "load_promises",
    "promises_in_effect",
    "reference_promises",
    "reference_promises_path",
]

REFERENCE_PACKAGE = "orchestrator"


def load_promises(path: str | Path) -> Promises:
    """Read and validate a promises file; JSON is YAML, so either format reads. An empty
    file declares nothing."""
    try:
        return load_yaml_model(path, Promises, what="promises file")
    except YamlInputError as exc:
        if exc.message == "empty" and exc.field is None:
            return Promises()
        raise


def reference_promises_path() -> Path:
    """The promises file the reference ships beside its code (found, not imported)."""
    spec = find_spec(REFERENCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the reference orchestrator is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "promises.yaml"


def promises_in_effect(path: str | Path | None, *, reference: bool) -> Promises:
    """The promises a run judges against (see the module's docstring)."""
    if path is not None:
        return load_promises(path)
    return load_promises(reference_promises_path()) if reference else Promises()


@cache
def reference_promises() -> Promises:
    """The reference's promises (read once): what a scenario is judged against by default."""
    return load_promises(reference_promises_path())


def promises_source(path: str | Path | None, *, reference: bool) -> str:
    """Which promises judge a run, in words: the file, or none declared."""
    if path is not None:
        return str(path)
    if reference:
        return f"{reference_promises_path()} (the reference's own)"
    return "none declared: universal promises only"
