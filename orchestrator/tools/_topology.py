"""`topology`: a service's dependency graph; falls back to the last good snapshot."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import psycopg

from ..capabilities import CapabilityType, ToolCapability
from ..contracts import ToolErrorCode
from ..errors import ToolError
from ..tool import CallContext
from ._guarded_pool import GuardedPool
from ._tenant_tx import (
    TOOL_TIMEOUT_SECONDS,
    budget_for,
    require_int,
    require_text,
    run_on_database,
    tenant_transaction,
)

TOOL_ID = "topology"
_EDGES = """
WITH RECURSIVE walk (service, depends_on, depth) AS (
    SELECT service, depends_on, 1 FROM ops.service_dependencies WHERE service = %(service)s
  UNION
    SELECT d.service, d.depends_on, w.depth + 1
    FROM ops.service_dependencies AS d JOIN walk AS w ON d.service = w.depends_on
    WHERE w.depth < %(depth)s
)
SELECT service, depends_on, min(depth) AS depth FROM walk
GROUP BY service, depends_on ORDER BY depth, service, depends_on
"""
_EXISTS = "SELECT 1 FROM ops.services WHERE service = %(service)s"


class TopologyTool:
    def __init__(self, pool: GuardedPool, *, capability: ToolCapability | None = None) -> None:
        self.capability = capability or ToolCapability.build(
            tool_id=TOOL_ID,
            capability_type=CapabilityType.READ_ONLY,
            timeout_seconds=TOOL_TIMEOUT_SECONDS,
            fallback_enabled=True,
        )
        self._pool = pool
        # Last known good graph per (tenant, service): what `fallback()` answers with.
        self._snapshots: dict[tuple[str, str], dict[str, Any]] = {}

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        service = require_text(arguments, "service", TOOL_ID)
        depth = require_int(arguments, "depth", TOOL_ID, default=2, low=1, high=10)
        budget = budget_for(ctx.budget_seconds, self.capability.timeout_seconds)
        params = {"service": service, "depth": depth}

        async def work(conn: psycopg.AsyncConnection[Any]) -> list[tuple[str, str, int]]:
            async with tenant_transaction(conn, ctx.tenant_id, budget, read_only=True):
                # Both queries go out together; the walk of an unknown service is empty.
                exists = await conn.execute(_EXISTS, params)
                walk = await conn.execute(_EDGES, params)
            # Read once the transaction has ended: the results arrive with its one Sync.
            if await exists.fetchone() is None:
                raise ToolError(
                    ToolErrorCode.INVALID_ARGUMENTS,
                    f"{TOOL_ID}: no service {service!r} for this tenant",
                )
            return await walk.fetchall()

        edges = await run_on_database(self._pool, budget, TOOL_ID, work)
        graph = _graph(service, depth, edges)
        self._snapshots[(ctx.tenant_id, service)] = {**graph, "snapshot_taken_at": time.time()}
        return graph

    async def fallback(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        service = arguments.get("service")
        snapshot = (
            self._snapshots.get((ctx.tenant_id, service)) if isinstance(service, str) else None
        )
        if snapshot is None:
            raise ToolError(
                ToolErrorCode.UPSTREAM_ERROR,
                f"{TOOL_ID}: database unavailable and no snapshot of {service!r}",
            )
        return {**snapshot, "stale": True}

    async def aclose(self) -> None:
        await self._pool.aclose()


def _graph(service: str, depth: int, edges: list[tuple[str, str, int]]) -> dict[str, Any]:
    nodes = sorted({service} | {a for a, _, _ in edges} | {b for _, b, _ in edges})
    return {
        "service": service,
        "depth": depth,
        "nodes": nodes,
        "edges": [{"from": a, "to": b, "depth": d} for a, b, d in edges],
        "direct_dependencies": [b for a, b, d in edges if a == service and d == 1],
    }
