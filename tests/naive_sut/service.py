"""A deliberately naive system under test: the contract honoured, and nothing else.

    GAUNTLET_OPS_DSN=... GAUNTLET_METRICS_DSN=... GAUNTLET_AUDIT_DSN=... \
    GAUNTLET_API_KEYS='{"key": "acme"}' PORT=8081 python tests/naive_sut/service.py

It serves `POST /v1/orchestrate` and `GET /healthz` from the same environment as the
reference orchestrator and answers the same intents, but the way a first draft would:
the tools run one after another, nothing has a deadline, nothing falls back, and every
answer is called `success`, whatever happened to its tools. It exists to show that
Gauntlet judges a system it has never seen: the core suite must fail it, naming the
checks that catch it. It imports nothing of Gauntlet.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import psycopg
import uvicorn
from fastapi import FastAPI, Header, HTTPException
from psycopg import sql

OVERVIEW_SQL = """
SELECT s.service, s.tier, s.owner_team,
       (SELECT count(*) FROM ops.incidents AS i
         WHERE i.service = s.service AND i.status = 'open') AS open_incidents
FROM ops.services AS s WHERE s.service = %(service)s
"""
INCIDENTS_SQL = """
SELECT i.incident_id, i.service, i.severity, i.title FROM ops.incidents AS i
WHERE i.service = %(service)s AND i.status = 'open'
"""
METRICS_SQL = """
SELECT service, avg(value) AS avg, max(value) AS max FROM metrics.samples
WHERE metric = %(metric)s AND service = ANY(%(services)s) GROUP BY service
"""
TOPOLOGY_SQL = "SELECT depends_on FROM ops.service_dependencies WHERE service = %(service)s"
AUDIT_SQL = """
INSERT INTO ops.audit_log (request_id, tenant_id, action, detail)
VALUES (%(request_id)s, %(tenant)s, %(action)s, '{}')
"""

app = FastAPI(title="naive orchestrator")
API_KEYS: dict[str, str] = json.loads(os.environ.get("GAUNTLET_API_KEYS", "{}"))


def run_sql(dsn: str, tenant: str, query: str, params: dict[str, Any], *, read: bool) -> Any:
    """One query in its own connection and transaction, as the tenant; no timeout at all."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        if read:
            role = sql.Identifier(f"gauntlet_tenant_{tenant}")
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(role))
        conn.execute(sql.SQL("SET LOCAL app.tenant_id = {}").format(sql.Literal(tenant)))
        cursor = conn.execute(query, params)
        if not read:
            return {"written": cursor.rowcount}
        columns = [column.name for column in cursor.description or ()]
        return [dict(zip(columns, map(str, row), strict=False)) for row in cursor.fetchall()]


def call(tool_id: str, dsn_var: str, tenant: str, query: str, params: dict[str, Any]) -> dict:
    started = time.perf_counter()
    try:
        data = run_sql(os.environ[dsn_var], tenant, query, params, read=tool_id != "audit")
        outcome = {"success": True, "data": data}
    except Exception as exc:  # noqa: BLE001 - naive on purpose: every error is "upstream"
        outcome = {"success": False, "error_code": "upstream_error", "error_message": str(exc)}
    latency_ms = (time.perf_counter() - started) * 1000
    return {"tool_id": tool_id, "call_id": tool_id, "latency_ms": latency_ms, **outcome}


def plan(intent: str, parameters: dict[str, Any]) -> list[tuple[str, str, str, dict]]:
    if intent == "ad_hoc_query":
        return [("direct_query", "GAUNTLET_OPS_DSN", parameters.get("sql", ""), {})]
    service = {"service": parameters.get("service", "")}
    metrics = {"metric": "latency_p95_ms", "services": [service["service"]]}
    if intent == "incident_triage":
        return [
            ("direct_query", "GAUNTLET_OPS_DSN", INCIDENTS_SQL, service),
            ("topology", "GAUNTLET_OPS_DSN", TOPOLOGY_SQL, service),
            ("metrics", "GAUNTLET_METRICS_DSN", METRICS_SQL, {**metrics, "metric": "error_rate"}),
        ]
    return [
        ("direct_query", "GAUNTLET_OPS_DSN", OVERVIEW_SQL, service),
        ("metrics", "GAUNTLET_METRICS_DSN", METRICS_SQL, metrics),
        ("topology", "GAUNTLET_OPS_DSN", TOPOLOGY_SQL, service),
    ]


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/orchestrate")
def orchestrate(body: dict[str, Any], x_api_key: str | None = Header(default=None)) -> dict:
    tenant = API_KEYS.get(x_api_key or "")
    if tenant is None:
        raise HTTPException(401, "unauthenticated")
    if body.get("tenant_id") != tenant:
        raise HTTPException(403, "tenant mismatch")
    request_id = uuid.uuid4().hex
    steps = plan(str(body.get("intent")), dict(body.get("parameters") or {}))
    results = [call(*step[:2], tenant, *step[2:]) for step in steps]
    audit = {"request_id": request_id, "tenant": tenant, "action": str(body.get("intent"))}
    results.append(call("audit", "GAUNTLET_AUDIT_DSN", tenant, AUDIT_SQL, audit))
    return {
        "request_id": request_id,
        "status": "success",  # the naive part: whatever happened above
        "results": results,
        "successful_tools": [r["tool_id"] for r in results if r["success"]],
        "failed_tools": [r["tool_id"] for r in results if not r["success"]],
        "fallback_tools": [],
    }


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning")
