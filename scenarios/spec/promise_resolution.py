"""A scenario file judged against the promises in effect: its expressions resolved, and
what cannot be judged set aside.

    resolver = PromiseResolver(promises)
    scenario = load_yaml_model(path, Scenario, prepare=resolver.resolve)
    scenario = resolver.apply(scenario)   # scenario.not_judged, scenario.not_applicable

Every `=...` string of the document (see `promise_expressions`) becomes its value under
the promises. An expectation needs the quantities its `needs:` lists and those its
expressions read without an `or` to fall back on; when the system declares one of them
not, the expectation is not judged (never a pass, never a fail) and says why. Anywhere
else (the workload, the faults, the steady state) an undeclared quantity with no fallback
makes the whole scenario not applicable. Intent parameters and prose are left as written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from contract import Promises
from vocabulary import NestedFieldError

from .model import Scenario
from .promise_expressions import (
    EXPRESSION_MARK,
    known_quantity,
    parse_expression,
    undeclared_reason,
)

__all__ = ["PromiseResolver"]

_AS_WRITTEN = frozenset({"name", "description", "tags", "parameters"})
Loc = tuple[str | int, ...]


@dataclass
class PromiseResolver:
    """Resolves one scenario document at a time against `promises`."""

    promises: Promises
    unjudged: dict[int, str] = field(default_factory=dict)  # expectation index -> reason
    not_applicable: str | None = None

    def resolve(self, document: Any) -> Any:
        """The document with every expression replaced by its value; notes what is not
        judged. A bad expression or need raises `NestedFieldError` at its place."""
        self.unjudged, self.not_applicable = {}, None
        if not isinstance(document, dict):
            return document  # the model says what is wrong with it
        missing: set[str] = set()
        resolved = {}
        for key, value in document.items():
            if key == "expectations" and isinstance(value, list):
                resolved[key] = [self._expectation(i, item) for i, item in enumerate(value)]
            else:
                resolved[key] = self._walk(value, (key,), missing)
        if missing:
            self.not_applicable = undeclared_reason(missing)
        return resolved

    def apply(self, scenario: Scenario) -> Scenario:
        """`scenario` (validated from the resolved document) with its unjudged
        expectations set aside."""
        return scenario.judged_against(self.unjudged, self.not_applicable)

    def _expectation(self, index: int, item: Any) -> Any:
        loc: Loc = ("expectations", index)
        missing: set[str] = set()
        resolved = self._walk(item, loc, missing)
        needs = item.get("needs") if isinstance(item, dict) else None
        if isinstance(needs, list):
            for position, name in enumerate(needs):
                _at(loc + ("needs", position), known_quantity, str(name))
                if str(name) not in missing and math.isinf(self.promises.promised(str(name))):
                    missing.add(str(name))
        if missing:
            self.unjudged[index] = undeclared_reason(missing)
        return resolved

    def _walk(self, value: Any, loc: Loc, missing: set[str]) -> Any:
        if isinstance(value, dict):
            return {
                key: item if key in _AS_WRITTEN else self._walk(item, loc + (key,), missing)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._walk(item, loc + (i,), missing) for i, item in enumerate(value)]
        if isinstance(value, str) and value.startswith(EXPRESSION_MARK):
            expression = _at(loc, parse_expression, value)
            resolved = _at(loc, expression.resolve, self.promises)
            missing |= resolved.missing
            return resolved.written()
        return value


def _at(loc: Loc, function: Any, argument: Any) -> Any:
    """`function(argument)`, its ValueError blamed on the place `loc` of the file."""
    try:
        return function(argument)
    except ValueError as exc:
        raise NestedFieldError(str(exc), loc=loc) from None
