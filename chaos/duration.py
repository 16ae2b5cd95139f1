"""Durations and rates as people write them in YAML: `500ms`, `2s`, `1m30s`, `10/s`.

A duration is stored as float seconds, but parsed through whole milliseconds so that
`parse_duration(format_duration(x)) == x` for every millisecond value. A bare number is
refused on purpose: `start: 2` could mean seconds or milliseconds, `start: 2s` cannot.

Use the annotated types in pydantic models:

    start: Duration                 # >= 0
    window: PositiveDuration        # > 0
    rate: Rate                      # requests per second, > 0
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

__all__ = [
    "Duration",
    "PositiveDuration",
    "Rate",
    "format_duration",
    "format_rate",
    "parse_duration",
    "parse_rate",
]

_UNIT_MS = {"h": 3_600_000, "m": 60_000, "s": 1_000, "ms": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_RATE = re.compile(r"^(\d+(?:\.\d+)?)\s*/\s*(h|m|s)$")
_EXAMPLES = "a duration like '500ms', '2s', '1m' or '1m30s'"


def parse_duration(value: object) -> float:
    """Seconds in `value` ('1m30s' -> 90.0); ValueError naming the accepted forms."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected {_EXAMPLES}, got {value!r}")
    text = value.strip().replace(" ", "")
    parts = _PART.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"expected {_EXAMPLES}, got {value!r}")
    units = [unit for _, unit in parts]
    if len(set(units)) != len(units):
        raise ValueError(f"expected each unit at most once in a duration, got {value!r}")
    total_ms = sum(float(number) * _UNIT_MS[unit] for number, unit in parts)
    if not math.isclose(total_ms, round(total_ms), abs_tol=1e-6):
        raise ValueError(f"expected whole milliseconds, got {value!r}")
    return round(total_ms) / 1000


def format_duration(seconds: float) -> str:
    """The canonical spelling of a duration: 90.5 -> '1m30s500ms', 0 -> '0s'."""
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"a duration is finite and not negative, got {seconds!r}")
    remaining = round(seconds * 1000)
    if remaining == 0:
        return "0s"
    text = ""
    for unit, size in _UNIT_MS.items():
        count, remaining = divmod(remaining, size)
        if count:
            text += f"{count}{unit}"
    return text


def parse_rate(value: object) -> float:
    """Events per second in `value` ('10/s' -> 10.0, '30/m' -> 0.5)."""
    expected = "a rate like '10/s', '600/m' or '5/h'"
    if not isinstance(value, str) or not (match := _RATE.match(value.strip())):
        raise ValueError(f"expected {expected}, got {value!r}")
    per_second = float(match.group(1)) * 1000 / _UNIT_MS[match.group(2)]
    if per_second <= 0:
        raise ValueError(f"expected a rate above zero, got {value!r}")
    return per_second


def format_rate(per_second: float) -> str:
    return f"{per_second:g}/s"


def _positive(seconds: float) -> float:
    if seconds <= 0:
        raise ValueError(f"expected a duration above zero, got {format_duration(seconds)!r}")
    return seconds


Duration = Annotated[
    float, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
Rate = Annotated[float, BeforeValidator(parse_rate), PlainSerializer(format_rate, return_type=str)]
