"""The tools a plan may call, by id: what a scenario's expectations may name."""

from __future__ import annotations

from types import MappingProxyType

TOOLS = MappingProxyType(
    {
        "direct_query": "read-only SQL on the ops database, as the caller's tenant role",
        "metrics": "time series from the metrics database (its own upstream)",
        "topology": "the service graph; falls back to its last known good snapshot",
        "audit": "append-only audit record, exactly once per request even across outages",
    }
)
"""Tool id -> what it does, in one line."""

TOOL_IDS: tuple[str, ...] = tuple(TOOLS)
