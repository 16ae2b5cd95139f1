"""`metrics`: windowed aggregates (avg, min, max, p95) of a metric from the metrics database.

The window ends at each series' latest sample, not at now: seeded worlds are fixed in time.
"""

from __future__ import annotations

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
    jsonable,
    require_int,
    require_text,
    run_on_database,
    tenant_transaction,
)

TOOL_ID = "metrics"
_AGGREGATES = """
SELECT s.service, count(*) AS samples, avg(s.value) AS avg, min(s.value) AS min,
       max(s.value) AS max,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY s.value) AS p95,
       min(s.ts) AS window_start, max(s.ts) AS window_end
FROM metrics.samples AS s
JOIN (SELECT service, max(ts) AS last_ts FROM metrics.samples
      WHERE metric = %(metric)s AND service = ANY(%(services)s) GROUP BY service) AS latest
  ON latest.service = s.service
WHERE s.metric = %(metric)s
  AND s.ts > latest.last_ts - make_interval(mins => %(window)s)
GROUP BY s.service
ORDER BY s.service
"""


class MetricsTool:
    """Arguments: `metric`, `window_minutes` (default 15), and `service`, or
    `dependencies_from` (a topology call id: its service plus direct dependencies)."""

    def __init__(self, pool: GuardedPool, *, capability: ToolCapability | None = None) -> None:
        self.capability = capability or ToolCapability.build(
            tool_id=TOOL_ID,
            capability_type=CapabilityType.TIME_SERIES,
            timeout_seconds=TOOL_TIMEOUT_SECONDS,
        )
        self._pool = pool

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        metric = require_text(arguments, "metric", TOOL_ID)
        window = require_int(
            arguments, "window_minutes", TOOL_ID, default=15, low=1, high=7 * 24 * 60
        )
        services = _services(arguments, ctx)
        budget = budget_for(ctx.budget_seconds, self.capability.timeout_seconds)

        async def work(conn: psycopg.AsyncConnection[Any]) -> list[dict[str, Any]]:
            async with tenant_transaction(conn, ctx.tenant_id, budget, read_only=True):
                cursor = await conn.execute(
                    _AGGREGATES, {"metric": metric, "services": services, "window": window}
                )
            # Read once the transaction has ended: its results, the description too,
            # arrive together with the pipeline's one Sync.
            rows = await cursor.fetchall()
            columns = [column.name for column in cursor.description or ()]
            return [dict(zip(columns, jsonable(list(row)), strict=False)) for row in rows]

        series = await run_on_database(self._pool, budget, TOOL_ID, work)
        return {"metric": metric, "window_minutes": window, "services": services, "series": series}

    async def aclose(self) -> None:
        await self._pool.aclose()


def _services(arguments: Mapping[str, Any], ctx: CallContext) -> list[str]:
    source = arguments.get("dependencies_from")
    if source is None:
        return [require_text(arguments, "service", TOOL_ID)]
    graph = ctx.dependency_outputs.get(source)
    if not isinstance(graph, Mapping) or "service" not in graph:
        raise ToolError(
            ToolErrorCode.INVALID_ARGUMENTS,
            f"{TOOL_ID}: 'dependencies_from' names {source!r}, which is not a "
            "topology call this call depends on",
        )
    return [graph["service"], *graph.get("direct_dependencies", [])]
