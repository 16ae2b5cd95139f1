"""Numbers written with a unit, answered in the user's words: which unit a field wants.

`latency_ms: 3 seconds` is "expected milliseconds, an integer"; `max: 500ms` on a field that
has a `max_ms` sibling points at it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["number_message"]

_WITH_UNIT = re.compile(r"^\s*[\d.]+\s*(ms|milliseconds?|s|secs?|seconds?|m|min|minutes?|%)\s*$")
_UNITS = {"_ms": "milliseconds", "_s": "seconds"}
_NUMBERS = {"int_parsing": "an integer", "float_parsing": "a number"}


def number_message(
    error: Any, siblings: Sequence[str], show: Callable[[object], str]
) -> str | None:
    """A number written as text says which unit the field wants: `latency_ms: 3 seconds`
    is "expected milliseconds, an integer"; `max: 500ms` points at `max_ms`."""
    field, value = (error["loc"][-1] if error["loc"] else ""), error["input"]
    number = _NUMBERS.get(error["type"])
    if number is None or not isinstance(field, str) or not isinstance(value, str):
        return None
    for suffix, unit in _UNITS.items():
        if field.endswith(suffix):
            return f"expected {unit}, {number}, got {show(value)}"
    if not _WITH_UNIT.match(value):
        return None
    with_unit = [f"{field}{suffix}" for suffix in _UNITS if f"{field}{suffix}" in siblings]
    instead = f" (for a duration use {' or '.join(map(repr, with_unit))})" if with_unit else ""
    return f"expected {number} without a unit{instead}, got {show(value)}"
