"""`load_slo_file`: a Gauntlet SLO file or OpenSLO v1 documents, validated, or one line of error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from vocabulary.yaml_input import YamlInputError, format_field, line_at, load_yaml_model

from .openslo import OpenSloError, is_openslo, openslo_to_spec
from .spec import SloSpec


class SloFileError(ValueError):
    """An SLO file is missing or malformed; `str()` is one line.

    FILE:LINE: field 'x': expected ...
    """


def load_slo_file(path: str | Path) -> SloSpec:
    path = Path(path)
    documents, nodes = _try_compose(path)
    if documents is not None and nodes is not None and is_openslo(documents):
        return _load_openslo(path, documents, nodes)
    try:
        return load_yaml_model(path, SloSpec, what="SLO file")
    except YamlInputError as exc:
        raise SloFileError(str(exc)) from None


def _try_compose(path: Path) -> tuple[list[Any] | None, list[yaml.Node] | None]:
    """Parse every document with positions; None when the file is unreadable or not YAML
    (the native loader then reports that with its line)."""
    try:
        text = path.read_text(encoding="utf-8")
        nodes = [
            node for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node is not None
        ]
        documents = [yaml.SafeLoader("").construct_document(node) for node in nodes]
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TypeError, ValueError):
        return None, None
    return documents, nodes


def _load_openslo(path: Path, documents: list[Any], nodes: list[yaml.Node]) -> SloSpec:
    try:
        return SloSpec.model_validate(openslo_to_spec(documents))
    except OpenSloError as exc:
        line = line_at(nodes[exc.doc_index], exc.loc) if exc.doc_index < len(nodes) else None
        field = format_field(exc.loc)
        where = f"{path}:{line}" if line else str(path)
        raise SloFileError(
            f"{where}: field '{field}': {exc}" if field else f"{where}: {exc}"
        ) from None
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SloFileError(
            f"{path}: OpenSLO maps to an invalid objective ({field}): {message}"
        ) from None
