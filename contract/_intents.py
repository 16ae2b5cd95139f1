"""The intents a request may name: their parameters (a JSON Schema each) and the tools
each one reads.

`parameter_error` checks parameters against the schema with the few keywords these
schemas use (object, properties, required, additionalProperties, string, pattern,
minLength), so the harness needs no schema library at run time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

_SERVICE = {
    "type": "string",
    "pattern": r"^[a-z][a-z0-9_-]{0,63}$",
    "description": ("a service name like 'checkout' (lowercase letters, digits, '-' or '_')"),
}
_ONLY_SERVICE = {
    "type": "object",
    "properties": {"service": _SERVICE},
    "required": ["service"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Intent:
    name: str
    summary: str
    parameters: Mapping[str, Any]  # a JSON Schema (draft 2020-12) of the parameters
    reads: tuple[str, ...]  # the tool ids its plan calls (audit is added to every plan)


INTENTS = MappingProxyType(
    {
        intent.name: intent
        for intent in (
            Intent(
                "service_overview",
                "one stage: overview SQL, metrics, topology",
                _ONLY_SERVICE,
                ("direct_query", "metrics", "topology"),
            ),
            Intent(
                "incident_triage",
                "open incidents + topology, then error-rate metrics for the service "
                "and its direct dependencies",
                _ONLY_SERVICE,
                ("direct_query", "topology", "metrics"),
            ),
            Intent(
                "ad_hoc_query",
                "the caller's SQL (validated by the system's query safety)",
                {
                    "type": "object",
                    "properties": {
                        "sql": {
                            "type": "string",
                            "minLength": 1,
                            "pattern": r"\S",
                            "description": "a non-empty string",
                        },
                        "params": {
                            "type": "object",
                            "description": "an object of name → value",
                        },
                    },
                    "required": ["sql"],
                    "additionalProperties": False,
                },
                ("direct_query",),
            ),
        )
    }
)


def parameter_error(intent: str, parameters: Mapping[str, Any]) -> str | None:
    """Why `parameters` do not fit `intent`'s schema, in one line; None when they do."""
    schema = INTENTS[intent].parameters
    properties: Mapping[str, Any] = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        unknown = sorted(set(parameters) - set(properties))
        if unknown:
            return f"unknown parameter(s) {unknown}; expected {sorted(properties)}"
    for name, field in properties.items():
        if name not in parameters and name not in schema.get("required", ()):
            continue
        value = parameters.get(name)
        if not _fits(field, value):
            return f"parameter {name!r}: expected {field['description']}, got {value!r}"
    return None


def _fits(field: Mapping[str, Any], value: Any) -> bool:
    if field["type"] == "object":
        return isinstance(value, Mapping)
    return (
        isinstance(value, str)
        and len(value) >= field.get("minLength", 0)
        and re.search(field.get("pattern", ""), value) is not None
    )
