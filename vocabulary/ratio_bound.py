"""Ratio bounds as people write them: `">= 0.95"`, `"<= 5%"`, `"> 0.8"`, `"< 0.1"`.

One readable form, used wherever a scenario states a share of requests:

    status: {success: ">= 0.95", failed: "<= 0.01"}
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator

__all__ = ["RatioBound", "RatioBoundField", "parse_ratio_bound"]

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

    comparison: str
    threshold: float

    def holds(self, ratio: float) -> bool:
        return _COMPARISONS[self.comparison](ratio, self.threshold)

    def __str__(self) -> str:
        return f"{self.comparison} {self.threshold:g}"


def parse_ratio_bound(value: object) -> RatioBound:
    if isinstance(value, RatioBound):
        return value
    if not isinstance(value, str) or not (match := _FORM.match(value.strip())):
        raise ValueError(f"expected {_EXPECTED}, got {value!r}")
    comparison, number, percent = match.groups()
    threshold = float(number) / (100 if percent else 1)
    if threshold > 1:
        raise ValueError(f"expected a ratio between 0 and 1 (or 0% to 100%), got {value!r}")
    return RatioBound(comparison, threshold)


RatioBoundField = Annotated[
    RatioBound, PlainValidator(parse_ratio_bound), PlainSerializer(str, return_type=str)
]
