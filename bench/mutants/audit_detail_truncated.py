"""The audit record keeps a prefix of the request: 500 characters of each text, 20 calls."""

from __future__ import annotations

DEFECT = "audit detail truncated: SQL past 500 characters and calls past the 20th go unrecorded"
SCENARIOS = ("audit-every-answer",)


def apply() -> None:
    from typing import Any

    from catalogue import replace

    from orchestrator import audit_plan

    def cut(value: Any) -> Any:
        if isinstance(value, str):
            return value[:500]
        if isinstance(value, dict):
            return {key: cut(item) for key, item in value.items()}
        if isinstance(value, list):
            return [cut(item) for item in value[:20]]
        return value

    def recorded(detail: dict[str, Any]) -> dict[str, Any]:
        return cut(original(detail))

    original = replace(audit_plan, "_recorded", recorded)
