"""Line-aware YAML input: load a file into a pydantic model, or fail with one line.

Every user-written file (scenarios, SLO targets, load profiles) goes through
`load_yaml_model`. A mistake becomes a `YamlInputError` whose text is exactly one line:

    FILE:LINE: field 'a.b[2].c': expected ..., got ...
    FILE:LINE: not valid YAML: ...
    FILE: file not found
    FILE: empty

The file is parsed with yaml's composer (SafeLoader), so every node keeps its start
mark; the first pydantic validation error's `loc` is walked back through the node tree
to find the line. A missing field points at its parent mapping, an unknown key at the
key itself, anything else at the offending value. Duplicate keys are refused (plain
PyYAML silently keeps the last one, which hides typos in long files).

A validator that checks a whole collection can point deeper than its own field by
raising `NestedFieldError(message, loc=(2, "start"))`: the loc is appended to the
validated field's location.

This module imports nothing from the rest of the project.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .model_keys import known_keys
from .unit_hints import number_message

__all__ = [
    "NestedFieldError",
    "YamlInputError",
    "format_field",
    "line_at",
    "load_yaml_model",
    "parse_yaml_model",
]

ModelT = TypeVar("ModelT", bound=BaseModel)
Loc = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_SHOWN = 60


class YamlInputError(ValueError):
    """A user file is missing, unreadable, not YAML, or does not fit its model.

    `str(error)` is one line suitable for a terminal; the parts are kept as attributes
    so a caller can build its own report. `all_errors` holds every mistake found in the
    file, this one first (a validation error can find several).
    """

    def __init__(
        self, path: str, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        self.all_errors: list[YamlInputError] = [self]  # more when a file has several mistakes
        where = f"{path}:{line}" if line is not None else path
        text = f"{where}: field '{field}': {message}" if field else f"{where}: {message}"
        super().__init__(_one_line(text))


class NestedFieldError(ValueError):
    """Raised by a validator to blame a position inside the value it validates."""

    def __init__(self, message: str, *, loc: Sequence[str | int]) -> None:
        super().__init__(message)
        self.loc: Loc = tuple(loc)


def load_yaml_model(
    path: str | Path,
    model_cls: type[ModelT],
    *,
    what: str = "file",
    prepare: Callable[[Any], Any] | None = None,
) -> ModelT:
    """Read `path` and validate it as `model_cls`; every failure is a `YamlInputError`.

    `what` names the kind of file in messages, e.g. "scenario file". `prepare`, if given,
    turns the document into what is validated (a `NestedFieldError` it raises is located
    in the file like a validation error).
    """
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise YamlInputError(shown, f"{what} not found") from None
    except IsADirectoryError:
        raise YamlInputError(shown, f"is a directory, expected a {what}") from None
    except OSError as exc:
        raise YamlInputError(shown, f"cannot read {what} ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlInputError(shown, f"not UTF-8 text (byte {exc.start})") from None
    return parse_yaml_model(text, model_cls, source=shown, what=what, prepare=prepare)


def parse_yaml_model(
    text: str,
    model_cls: type[ModelT],
    *,
    source: str = "<string>",
    what: str = "file",
    prepare: Callable[[Any], Any] | None = None,
) -> ModelT:
    """Like `load_yaml_model`, for text already in memory; `source` stands in for the path."""
    root = _compose(text, source)
    if root is None:
        raise YamlInputError(source, "empty")
    _refuse_duplicate_keys(root, source, ())
    try:
        data = yaml.SafeLoader("").construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_syntax_error(exc, source) from None
    except (TypeError, ValueError) as exc:  # e.g. an unhashable (mapping) key
        raise YamlInputError(source, f"not valid YAML: {exc}", line=_line(root)) from None
    if prepare is not None:
        try:
            data = prepare(data)
        except NestedFieldError as exc:
            where = {"line": line_at(root, exc.loc), "field": format_field(exc.loc) or None}
            raise YamlInputError(source, str(exc), **where) from None
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        raise _located_validation_error(exc, root, source, what, (model_cls, data)) from None


# -- parsing --------------------------------------------------------------------------


def _compose(text: str, source: str) -> yaml.Node | None:
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _yaml_syntax_error(exc, source) from None
    except yaml.YAMLError as exc:
        raise YamlInputError(source, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _yaml_syntax_error(exc: yaml.MarkedYAMLError, source: str) -> YamlInputError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = exc.problem or "syntax error"
    if exc.context and exc.context not in problem:
        problem = f"{problem} ({exc.context})"
    return YamlInputError(source, f"not valid YAML: {problem}", line=line)


def _refuse_duplicate_keys(
    node: yaml.Node, source: str, path: Loc, _seen: set[int] | None = None
) -> None:
    seen = _seen if _seen is not None else set()
    if id(node) in seen:  # an alias seen before (or a recursive one): already checked
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                _refuse_duplicate_keys(value_node, source, path, seen)
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in first_line:
                raise YamlInputError(
                    source,
                    f"duplicate key (first defined at line {first_line[key]})",
                    line=_line(key_node),
                    field=_format_loc(path + (key,)),
                )
            if key is not None:
                first_line[key] = _line(key_node)
            _refuse_duplicate_keys(
                value_node, source, path + ((key if key is not None else "?"),), seen
            )
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _refuse_duplicate_keys(item, source, path + (index,), seen)


# -- mapping a validation error back to a line -----------------------------------------


def _located_validation_error(
    exc: ValidationError,
    root: yaml.Node,
    source: str,
    what: str,
    validated: tuple[type[BaseModel], object],
) -> YamlInputError:
    """The most telling error, carrying every other one (a place once) in `all_errors`."""
    errors = exc.errors(include_url=False)
    error, hint = _most_telling(errors)
    first = _located(error, hint, root, source, what, validated)
    seen = {(first.line, first.field)}
    for other in errors:
        caused = other["type"] == "missing" and repr(str(other["loc"][-1])) in hint
        if other is error or caused:  # a misspelt key's hint names the field it leaves missing
            continue
        located = _located(other, "", root, source, what, validated)
        if (located.line, located.field) not in seen:
            seen.add((located.line, located.field))
            first.all_errors.append(located)
    return first


def _located(
    error: Any,
    hint: str,
    root: yaml.Node,
    source: str,
    what: str,
    validated: tuple[type[BaseModel], object],
) -> YamlInputError:
    loc: Loc = tuple(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, NestedFieldError):
        loc = loc + cause.loc
    node, key_node, shown_loc, unmatched = _walk(root, loc)
    kind = error["type"]
    if kind == "extra_forbidden" and key_node is not None:
        node = key_node
        message = _unknown_key(error, hint, loc, validated)
    elif kind == "missing":
        shown_loc = shown_loc + unmatched[-1:]
        message = "required field is missing"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        node, shown_loc, message = _bad_union_tag(error, node, shown_loc)
    elif kind in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(error["ctx"]["expected"]))
        message = _expected(error, cause) + _did_you_mean(str(error["input"]), choices)
    else:
        siblings = known_keys(validated[0], loc[:-1], validated[1])
        message = number_message(error, siblings, _show) or _expected(error, cause)
    line = _line(node)
    if not shown_loc:
        if kind == "model_type":
            return YamlInputError(
                source,
                f"expected a mapping at the top of the {what}, got {_kind_of(error['input'])}",
                line=line,
            )
        return YamlInputError(source, message, line=line)
    return YamlInputError(source, message, line=line, field=_format_loc(shown_loc))


def _unknown_key(error: Any, hint: str, loc: Loc, validated: tuple[type[BaseModel], object]) -> str:
    """An unknown key, with the known key it is closest to, else every known key."""
    known = known_keys(validated[0], loc[:-1], validated[1])
    hint = hint or _did_you_mean(str(loc[-1]), known)
    message = f"unknown key{hint}, not allowed here (got {_show(error['input'])})"
    return message + (f"; known: {', '.join(known)}" if known and not hint else "")


def _bad_union_tag(error: Any, node: yaml.Node, shown_loc: Loc) -> tuple[yaml.Node, Loc, str]:
    """A missing or unknown kind key: the node and field to point at (the tag itself when
    there is one), and what was expected."""
    tag_key = str(error["ctx"]["discriminator"]).strip("'")
    tag = _child(node, tag_key)
    if tag is not None:
        shown_loc = shown_loc + (tag_key,)
        node = tag[1]
    if error["type"] == "union_tag_not_found":
        return node, shown_loc, f"expected a {tag_key!r} key saying which kind this is, got none"
    expected, got = error["ctx"]["expected_tags"], _show(error["ctx"]["tag"])
    message = f"expected {tag_key!r} to be one of {expected}, got {got}"
    close = difflib.get_close_matches(
        str(error["ctx"]["tag"]), re.findall(r"'([^']*)'", str(expected)), n=1
    )
    return node, shown_loc, message + (f" (did you mean {close[0]!r}?)" if close else "")


def _most_telling(errors: list[Any]) -> tuple[Any, str]:
    """The first error, except that a misspelt key beats the "missing" it causes.

    `tenant:` for `tenants:` yields both "tenants missing" and "tenant unknown"; the
    unknown key is the one the user must fix, and the missing name is the hint.
    """
    first = errors[0]
    if first["type"] != "missing":
        return first, ""
    parent = tuple(first["loc"][:-1])
    missing = [
        str(err["loc"][-1])
        for err in errors
        if err["type"] == "missing" and tuple(err["loc"][:-1]) == parent
    ]
    for err in errors:
        if err["type"] == "extra_forbidden" and tuple(err["loc"][:-1]) == parent:
            close = difflib.get_close_matches(str(err["loc"][-1]), missing, n=1)
            return err, (f" (did you mean {close[0]!r}?)" if close else "")
    return first, ""


def _walk(root: yaml.Node, loc: Loc) -> tuple[yaml.Node, yaml.Node | None, Loc, Loc]:
    """Follow `loc` through the node tree as far as it goes.

    Returns the deepest node reached, the key node that led to it (if any), the part
    of `loc` that matched the document, and the elements that did not. Elements that
    match nothing in between (pydantic's union tags such as 'latency' or 'int') are
    skipped, so the field shown is the one the user wrote.
    """
    node, key_node = root, None
    matched: list[str | int] = []
    unmatched: list[str | int] = []
    for element in loc:
        child = _child(node, element)
        if child is None:
            unmatched.append(element)
            continue
        key_node, node = child
        matched.append(element)
    return node, key_node, tuple(matched), tuple(unmatched)


def _child(node: yaml.Node, element: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in reversed(node.value):  # last wins, as in construction
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(element):
                return key_node, value_node
        return None
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(element, int)
        and 0 <= element < len(node.value)
    ):
        return None, node.value[element]
    return None


def _expected(error: Any, cause: object) -> str:
    message = str(cause) if isinstance(cause, ValueError) else error["msg"]
    message = re.sub(r"^(Value error|Assertion failed), ", "", message)
    message = re.sub(r"^\w+ should be ", "expected ", message)
    message = re.sub(r"^\w+ should (have|match|contain) ", r"expected \1 ", message)
    if not message.startswith("expected"):
        message = f"expected a valid value: {message}"
    whole_object_check = error["type"] == "value_error" and isinstance(error["input"], dict)
    if (
        ", got " not in message
        and not isinstance(cause, NestedFieldError)
        and not whole_object_check
    ):
        message = f"{message}, got {_show(error['input'])}"
    return message


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def line_at(root: yaml.Node, loc: Sequence[str | int]) -> int:
    """The line (1-based) of the deepest node of `root` that `loc` reaches."""
    node, _key, _matched, _unmatched = _walk(root, tuple(loc))
    return _line(node)


def format_field(loc: Sequence[str | int]) -> str:
    """A location as users write it: `objectives[2].max`."""
    return _format_loc(tuple(loc))


def _format_loc(loc: Loc) -> str:
    text = ""
    for element in loc:
        text += (
            f"[{element}]"
            if isinstance(element, int)
            else (f".{element}" if text else str(element))
        )
    return text


def _show(value: object) -> str:
    if isinstance(value, (dict, list)):
        return _kind_of(value)
    shown = repr(value)
    return shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 3] + "..."


def _kind_of(value: object) -> str:
    if isinstance(value, dict):
        keys = ", ".join(repr(key) for key in list(value)[:4]) + (", ..." if len(value) > 4 else "")
        return f"a mapping with keys {keys}" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return f"{type(value).__name__} {_show(value)}"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _one_line(text: str) -> str:
    return " ".join(text.split())
