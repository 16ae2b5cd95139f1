"""A fault kind's fields in one line, with units: what `gauntlet list faults` prints."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from chaos.duration import parse_rate

# Units follow from the field-name suffixes the fault models use.
UNITS = {"_ms": "ms", "_us": "µs", "_s": "s", "_kbps": "KB/s", "bytes": "bytes", "_size": "bytes"}


def field_summary(model: type[BaseModel]) -> str:
    parts = [_describe(name, info) for name, info in model.model_fields.items() if name != "kind"]
    return ", ".join(parts) or "no fields"


def _describe(name: str, info: FieldInfo) -> str:
    details = [_type_text(info.annotation)]
    unit = next((unit for suffix, unit in UNITS.items() if name.endswith(suffix)), None)
    if unit:
        details.append(unit)
    details.extend(_bounds(info))
    text = f"{name} ({', '.join(d for d in details if d)})"
    if not info.is_required():
        text += f" = {_show(info.get_default(call_default_factory=True))}"
    return text


def _type_text(annotation: Any) -> str:
    """The type as a user writes it: `list[str] | None`, never pydantic's constraint objects."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "|".join(str(arg) for arg in args)
    if origin is typing.Annotated:
        if any(getattr(meta, "func", None) is parse_rate for meta in args[1:]):
            return "N/s"  # written as a rate: '20/s'
        return _type_text(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(_type_text(arg) for arg in args)
    if annotation is type(None):
        return "None"
    if origin is not None:
        inner = ", ".join(_type_text(arg) for arg in args)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]" if inner else origin.__name__
    return getattr(annotation, "__name__", str(annotation))


def _bounds(info: FieldInfo) -> list[str]:
    bounds = []
    for item in info.metadata:
        for attribute, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, attribute, None)
            if value is not None:
                bounds.append(f"{sign} {value}")
    return bounds


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)
