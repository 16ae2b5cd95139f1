"""The one notation for a bound on a share of requests: `">= 0.95"`, `"<= 5%"`, `"> 0.5"`.

    status: {success: ">= 0.95", failed: "<= 1%"}      # a scenario's status mix

A bound is a comparison and a threshold in [0, 1]; a trailing `%` divides by 100.
Older file syntaxes name the comparison by their key and give only the number; they
parse into the same value through the same function, with the comparison implied:

    {ratio: failed, max: 0.05}       # an SLO objective:  "<= 0.05"
    {ratio: success, min: 0.999}     # an SLO objective:  ">= 0.999"
    {failed_ratio_above: 0.5}        # a stop condition:  "> 0.5" (the run stops)
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import PlainSerializer, PlainValidator

__all__ = ["Comparison", "RatioBound", "RatioBoundField", "parse_ratio_bound"]

Comparison = Literal[">=", "<=", ">", "<"]
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_FORM = re.compile(r"^(>=|<=|>|<)\s*(\d+(?:\.\d+)?)\s*(%?)$")
_EXPECTED = "a ratio bound like '>= 0.95', '<= 0.05' or '>= 95%'"


@dataclass(frozen=True)
class RatioBound:
    """`ratio <comparison> threshold`, with the threshold in [0, 1]."""

    comparison: Comparison
    threshold: float

    def holds(self, ratio: float) -> bool:
        return _COMPARISONS[self.comparison](ratio, self.threshold)

    @property
    def at_most(self) -> bool:
        """An upper bound (`<=`, `<`): fewer hits are better."""
        return self.comparison in ("<=", "<")

    def __str__(self) -> str:
        return f"{self.comparison} {self.threshold:g}"


def parse_ratio_bound(value: object, *, implied: Comparison | None = None) -> RatioBound:
    """A `RatioBound` from its text, or from a bare number when the syntax `implied` one.

    Raises `ValueError` with the expected form when `value` is neither.
    """
    if isinstance(value, RatioBound):
        return value
    if implied is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return RatioBound(implied, _fraction(float(value), value))
    if not isinstance(value, str) or not (match := _FORM.match(value.strip())):
        raise ValueError(f"expected {_EXPECTED}, got {value!r}")
    comparison, number, percent = match.groups()
    return RatioBound(comparison, _fraction(float(number) / (100 if percent else 1), value))


def _fraction(threshold: float, written: object) -> float:
    if not 0 <= threshold <= 1:
        raise ValueError(f"expected a ratio between 0 and 1 (or 0% to 100%), got {written!r}")
    return threshold


RatioBoundField = Annotated[
    RatioBound, PlainValidator(parse_ratio_bound), PlainSerializer(str, return_type=str)
]
