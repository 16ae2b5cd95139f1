"""Load what `--slo` names: one Gauntlet SLO file, or OpenSLO v1 documents from one or
several files or folders (an SLI in one file may serve an SLO in another). Validated, or
one line of error."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from vocabulary.yaml_input import YamlInputError, format_field, line_at, load_yaml_model

from .openslo import OpenSloError, foreign_format, is_openslo, openslo_to_spec
from .spec import SloSpec


class SloFileError(ValueError):
    """An SLO file is missing or malformed; `str()` is one line.

    FILE:LINE: field 'x': expected ...
    """


# every parsed document with where it came from: (file, its node, its value)
_Located = list[tuple[Path, yaml.Node, Any]]


GIVEN = "given with --slo"


def load_slo_file(path: str | Path, *, chosen: str = GIVEN) -> SloSpec:
    return load_slo_files([path], chosen=chosen)


def load_slo_files(paths: Iterable[str | Path], *, chosen: str = GIVEN) -> SloSpec:
    """A folder stands for its *.yaml and *.yml files, in name order. `chosen`: why these
    files judge the run, as the reports say it (e.g. "the core suite's default")."""
    files = _expand([Path(p) for p in paths])
    spec = _load(files)
    spec._judged_by = f"{', '.join(_shown(path) for path in files)} ({chosen})"
    return spec


def _shown(path: Path) -> str:
    """A path as short as it reads: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load(files: list[Path]) -> SloSpec:
    located: _Located = []
    for path in files:
        parsed = _try_compose(path)
        if parsed is None:
            if len(files) == 1:
                break  # the native loader names what is wrong with it, with its line
            raise SloFileError(f"{path}: expected YAML documents (unreadable or not YAML)")
        located.extend((path, node, doc) for node, doc in parsed)
    documents = [doc for _, _, doc in located]
    if (foreign := foreign_format(documents)) is not None:
        index, loc, message = foreign
        raise _located_error(located, OpenSloError(index, loc, message))
    if is_openslo(documents):
        return _load_openslo(located)
    if len(files) > 1:
        raise SloFileError(
            f"{', '.join(map(str, files))}: several SLO files must all be OpenSLO v1 documents"
        )
    try:
        return load_yaml_model(files[0], SloSpec, what="SLO file")
    except YamlInputError as exc:
        raise SloFileError(str(exc)) from None


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                raise SloFileError(f"{path}: folder holds no *.yaml or *.yml SLO file")
            files.extend(found)
        elif not path.exists():
            raise SloFileError(f"{path}: SLO file not found")
        else:
            files.append(path)
    if not files:
        raise SloFileError("expected at least one SLO file")
    return files


def _try_compose(path: Path) -> list[tuple[yaml.Node, Any]] | None:
    """Every document with its position; None when the file is unreadable or not YAML."""
    try:
        text = path.read_text(encoding="utf-8")
        nodes = [
            node for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node is not None
        ]
        return [(node, yaml.SafeLoader("").construct_document(node)) for node in nodes]
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TypeError, ValueError):
        return None


def _load_openslo(located: _Located) -> SloSpec:
    try:
        return SloSpec.model_validate(openslo_to_spec([doc for _, _, doc in located]))
    except OpenSloError as exc:
        raise _located_error(located, exc) from None
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        files = ", ".join(sorted({str(path) for path, _, _ in located}))
        raise SloFileError(
            f"{files}: OpenSLO maps to an invalid objective ({field}): {message}"
        ) from None


def _located_error(located: _Located, exc: OpenSloError) -> SloFileError:
    path, node, _ = located[min(exc.doc_index, len(located) - 1)]
    line = line_at(node, exc.loc)
    field = format_field(exc.loc)
    where = f"{path}:{line}" if line else str(path)
    return SloFileError(f"{where}: field '{field}': {exc}" if field else f"{where}: {exc}")
