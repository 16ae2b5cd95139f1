"""The read tools: `direct_query`, `metrics` and `topology`, each one tenant transaction.

A tool returns its data or raises `CallFailed` with the contract's code; the guards,
retries, deadlines and fallbacks around it live in `_calls.py`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from typing import Any

import asyncpg
from _db import CallFailed, tenant_transaction
from _sql_checks import SqlChecks

ROW_CAP = 1000
RESULT_CAP_BYTES = 10 * 1024 * 1024
FETCH_CHUNK = 200
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
# asyncpg reads a whole row before the cursor hands it over, so a single row over the cap
# would be in memory before it could be counted: Postgres measures each row instead, and
# fails the statement with this marker in a cast error rather than send one too large.
ROW_TOO_LARGE = "honest_row_too_large"
SERVICE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")

METRICS_SQL = """
WITH latest AS (
    SELECT service, max(ts) AS window_end FROM samples
    WHERE metric = $1 AND service = ANY($2::text[]) GROUP BY service
)
SELECT s.service, count(*)::int AS samples, avg(s.value)::float8 AS avg,
       min(s.value)::float8 AS min, max(s.value)::float8 AS max,
       (percentile_cont(0.95) WITHIN GROUP (ORDER BY s.value))::float8 AS p95,
       l.window_end - make_interval(mins => $3) AS window_start, l.window_end
FROM samples AS s JOIN latest AS l ON l.service = s.service
WHERE s.metric = $1 AND s.ts > l.window_end - make_interval(mins => $3)
GROUP BY s.service, l.window_end ORDER BY s.service
"""
SERVICE_EXISTS_SQL = "SELECT 1 FROM services WHERE service = $1"
EDGES_SQL = """
WITH RECURSIVE walk(service, depends_on, depth) AS (
    SELECT service, depends_on, 1 FROM service_dependencies WHERE service = $1
    UNION
    SELECT d.service, d.depends_on, w.depth + 1
    FROM service_dependencies AS d JOIN walk AS w ON d.service = w.depends_on
    WHERE w.depth < $2
)
SELECT service, depends_on, min(depth) AS depth FROM walk
GROUP BY service, depends_on ORDER BY depth, service, depends_on
"""


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool | dict):
        return value
    return str(value)


def to_numbered(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """`%(name)s` placeholders (the contract's style) as asyncpg's `$n`."""
    order: list[str] = []

    def number(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in params:
            raise CallFailed("invalid_arguments", f"no value for placeholder %({name})s")
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    return PLACEHOLDER.sub(number, sql), [params[name] for name in order]


async def direct_query(
    pool: asyncpg.Pool, checks: SqlChecks, tenant: str, args: dict, budget: float
) -> dict:
    sql, params = args.get("sql"), args.get("params") or {}
    if not isinstance(sql, str) or not sql.strip() or not isinstance(params, dict):
        raise CallFailed("invalid_arguments", "direct_query needs sql (text) and params")
    refusal = await checks.check(sql, tenant)
    if refusal:
        raise CallFailed(refusal.code, refusal.reason)
    text, values = to_numbered(sql, params)
    try:
        return await _capped_rows(pool, tenant, _row_measured(text), values, budget)
    except asyncpg.InvalidTextRepresentationError as exc:
        if ROW_TOO_LARGE not in str(exc):
            raise
        raise CallFailed("result_too_large", f"a row over {RESULT_CAP_BYTES} bytes") from None


def _row_measured(text: str) -> str:
    """`text` whose rows Postgres refuses past the cap (own lines: a `--` comment ends)."""
    size = "pg_column_size(measured.*)"
    return (
        f"SELECT * FROM (\n{text}\n) AS measured WHERE CASE WHEN {size} <= {RESULT_CAP_BYTES} "
        f"THEN TRUE ELSE ('{ROW_TOO_LARGE} ' || {size})::int > 0 END"
    )


async def _capped_rows(
    pool: asyncpg.Pool, tenant: str, text: str, values: list[Any], budget: float
) -> dict:
    async with tenant_transaction(pool, tenant, budget) as conn:
        statement = await conn.prepare(text)
        columns = [attr.name for attr in statement.get_attributes()]
        cursor = await statement.cursor(*values)
        rows, size = [], 0
        while len(rows) < ROW_CAP:
            chunk = await cursor.fetch(min(FETCH_CHUNK, ROW_CAP - len(rows)))
            for record in chunk:
                row = {name: jsonable(value) for name, value in zip(columns, record, strict=True)}
                size += sum(len(str(v)) for v in row.values())
                rows.append(row)
            if size > RESULT_CAP_BYTES:
                raise CallFailed("result_too_large", f"more than {RESULT_CAP_BYTES} bytes")
            if len(chunk) < FETCH_CHUNK:
                break
    return {"columns": columns, "row_count": len(rows), "rows": rows}


def _int_arg(args: dict, name: str, default: int, low: int, high: int) -> int:
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CallFailed("invalid_arguments", f"{name} must be an integer {low}-{high}")
    return value


def metric_services(args: dict, dependencies: dict[str, Any]) -> list[str]:
    source = args.get("dependencies_from")
    if source is not None:
        graph = dependencies.get(source)
        if not isinstance(graph, dict):
            raise CallFailed("invalid_arguments", f"dependencies_from {source!r} is not a call")
        return [graph["service"], *graph.get("direct_dependencies", [])]
    service = args.get("service")
    if not isinstance(service, str) or not service:
        raise CallFailed("invalid_arguments", "metrics needs service or dependencies_from")
    return [service]


async def metrics(
    pool: asyncpg.Pool, tenant: str, args: dict, budget: float, dependencies: dict[str, Any]
) -> dict:
    metric = args.get("metric")
    if not isinstance(metric, str) or not metric:
        raise CallFailed("invalid_arguments", "metrics needs a metric")
    window = _int_arg(args, "window_minutes", 15, 1, 10080)
    services = metric_services(args, dependencies)
    async with tenant_transaction(pool, tenant, budget) as conn:
        records = await conn.fetch(METRICS_SQL, metric, services, window)
    series = [{key: jsonable(value) for key, value in record.items()} for record in records]
    return {"metric": metric, "window_minutes": window, "services": services, "series": series}


async def topology(pool: asyncpg.Pool, tenant: str, args: dict, budget: float) -> dict:
    service = args.get("service")
    if not isinstance(service, str) or not SERVICE.match(service):
        raise CallFailed("invalid_arguments", "topology needs a service name")
    depth = _int_arg(args, "depth", 2, 1, 10)
    async with tenant_transaction(pool, tenant, budget) as conn:
        known = await conn.fetchval(SERVICE_EXISTS_SQL, service) is not None
        records = await conn.fetch(EDGES_SQL, service, depth) if known else []
    if not known:
        raise CallFailed("invalid_arguments", f"unknown service {service!r}")
    edges = [{"from": r["service"], "to": r["depends_on"], "depth": r["depth"]} for r in records]
    nodes = sorted({service} | {e["from"] for e in edges} | {e["to"] for e in edges})
    direct = sorted(e["to"] for e in edges if e["from"] == service and e["depth"] == 1)
    return {
        "service": service,
        "depth": depth,
        "nodes": nodes,
        "edges": edges,
        "direct_dependencies": direct,
    }
