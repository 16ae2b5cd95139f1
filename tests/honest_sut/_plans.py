"""Requests checked and turned into plans: stages of calls, the audit call in the first.

`plan_request` raises `Invalid` (HTTP 422, fields named) for a body the service cannot
plan; everything it returns can run.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from _calls import Call

TOOLS = frozenset({"direct_query", "metrics", "topology"})
REQUEST_FIELDS = {"tenant_id", "intent", "parameters", "plan", "request_id", "deadline_seconds"}
REQUEST_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
CALL_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
SERVICE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
SCALARS = (str, int, float, bool, type(None))

OVERVIEW_SQL = """SELECT s.service, s.tier, s.owner_team,
  (SELECT d.version FROM ops.deployments AS d WHERE d.service = s.service
    ORDER BY d.deployed_at DESC LIMIT 1) AS latest_version,
  (SELECT max(d.deployed_at) FROM ops.deployments AS d WHERE d.service = s.service)
    AS last_deployed_at,
  (SELECT count(*) FROM ops.incidents AS i WHERE i.service = s.service
    AND i.status = 'open') AS open_incidents
FROM ops.services AS s WHERE s.service = %(service)s"""
INCIDENTS_SQL = """SELECT i.incident_id, i.service, i.severity, i.title, i.opened_at
FROM ops.incidents AS i WHERE i.service = %(service)s AND i.status = 'open'
ORDER BY i.opened_at DESC"""


class Invalid(ValueError):
    def __init__(self, loc: list[str | int], message: str) -> None:
        super().__init__(message)
        self.loc, self.message = loc, message


@dataclass
class Planned:
    tenant: str
    request_id: str
    action: str
    detail: dict[str, Any]
    stages: list[list[Call]]
    deadline_seconds: float | None


def _text(body: dict, name: str, high: int, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= high:
        raise Invalid(["body", name], f"expected a string of 1-{high} characters")
    return value


def _service_param(params: dict) -> dict[str, Any]:
    _only(params, {"service"})
    service = params.get("service")
    if not isinstance(service, str) or not SERVICE.match(service):
        raise Invalid(["body", "parameters", "service"], "expected a service name")
    return {"service": service}


def _only(params: dict, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed:
            raise Invalid(["body", "parameters", name], "this intent takes no such parameter")


def _intent_stages(intent: str, params: dict) -> list[list[Call]]:
    if intent == "service_overview":
        service = _service_param(params)["service"]
        sql = {"sql": OVERVIEW_SQL, "params": {"service": service}}
        latency = {"service": service, "metric": "latency_p95_ms", "window_minutes": 15}
        return [
            [
                Call("overview", "direct_query", sql),
                Call("latency", "metrics", latency),
                Call("topology", "topology", {"service": service, "depth": 2}),
            ]
        ]
    if intent == "incident_triage":
        service = _service_param(params)["service"]
        rates = {"dependencies_from": "topology", "metric": "error_rate", "window_minutes": 30}
        return [
            [
                Call(
                    "incidents",
                    "direct_query",
                    {"sql": INCIDENTS_SQL, "params": {"service": service}},
                ),
                Call("topology", "topology", {"service": service, "depth": 1}),
            ],
            [Call("error_rates", "metrics", rates, ["topology"])],
        ]
    if intent == "ad_hoc_query":
        return [[Call("query", "direct_query", _ad_hoc_args(params))]]
    raise Invalid(["body", "intent"], f"unknown intent {intent!r}")


def _ad_hoc_args(params: dict) -> dict[str, Any]:
    _only(params, {"sql", "params"})
    sql, values = params.get("sql"), params.get("params", {})
    if not isinstance(sql, str) or not sql.strip():
        raise Invalid(["body", "parameters", "sql"], "expected SQL text, not blank")
    if not isinstance(values, dict) or not all(isinstance(v, SCALARS) for v in values.values()):
        raise Invalid(["body", "parameters", "params"], "expected an object name -> scalar")
    return {"sql": sql, "params": values}


def _plan_stages(plan: Any) -> list[list[Call]]:
    stages = plan.get("stages") if isinstance(plan, dict) else None
    if set(plan or {}) - {"stages"} or not isinstance(stages, list) or not stages:
        raise Invalid(["body", "plan"], "expected {stages: [{calls: [...]}, ...]}")
    seen: set[str] = set()
    planned = []
    for s, stage in enumerate(stages):
        calls = stage.get("calls") if isinstance(stage, dict) else None
        if set(stage or {}) - {"calls"} or not isinstance(calls, list) or not calls:
            raise Invalid(["body", "plan", "stages", s], "expected {calls: [ToolCall, ...]}")
        earlier = set(seen)
        planned.append([_plan_call(c, earlier, seen, ["body", "plan", "stages", s]) for c in calls])
    return planned


def _plan_call(raw: Any, earlier: set[str], seen: set[str], loc: list) -> Call:
    if not isinstance(raw, dict) or set(raw) - {"call_id", "tool_id", "arguments", "depends_on"}:
        raise Invalid(loc, "a call has call_id, tool_id, arguments and depends_on only")
    call_id, tool_id = raw.get("call_id"), raw.get("tool_id")
    if not isinstance(call_id, str) or not CALL_ID.match(call_id) or call_id in seen:
        raise Invalid([*loc, "call_id"], "expected a unique call id of [A-Za-z0-9_.-]")
    if call_id == "audit" or tool_id not in TOOLS:
        raise Invalid([*loc, "tool_id"], f"expected one of {sorted(TOOLS)}")
    arguments, depends = raw.get("arguments", {}), raw.get("depends_on", [])
    if not isinstance(arguments, dict) or not isinstance(depends, list):
        raise Invalid(loc, "arguments is an object and depends_on a list")
    if any(dep not in earlier for dep in depends):
        raise Invalid([*loc, "depends_on"], "depends_on names calls of earlier stages only")
    seen.add(call_id)
    return Call(call_id, tool_id, arguments, list(depends))


def plan_request(body: Any) -> Planned:
    """The plan for a request body, with the server's audit call in its first stage."""
    if not isinstance(body, dict):
        raise Invalid(["body"], "expected a JSON object")
    for name in body:
        if name not in REQUEST_FIELDS:
            raise Invalid(["body", name], "unknown field")
    tenant = _text(body, "tenant_id", 64, required=True)
    intent = _text(body, "intent", 64)
    params = body.get("parameters", {})
    if not isinstance(params, dict):
        raise Invalid(["body", "parameters"], "expected an object")
    request_id = body.get("request_id")
    if request_id is None:
        request_id = uuid.uuid4().hex
    elif not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
        raise Invalid(["body", "request_id"], "expected 1-128 characters of [A-Za-z0-9_.:-]")
    deadline = body.get("deadline_seconds")
    if deadline is not None and (
        isinstance(deadline, bool)
        or not isinstance(deadline, int | float)
        or not 0 < deadline <= 300
    ):
        raise Invalid(["body", "deadline_seconds"], "expected a number > 0 and <= 300")
    if (intent is None) == (body.get("plan") is None):
        raise Invalid(["body"], "give exactly one of intent and plan")
    if intent is not None:
        stages, action = _intent_stages(intent, params), intent
        detail = {"intent": intent, "parameters": params}
    else:
        stages, action = _plan_stages(body["plan"]), "explicit_plan"
        detail = {"calls": [vars(call) for stage in stages for call in stage]}
    stages[0].append(Call("audit", "audit"))
    return Planned(tenant, request_id, action, detail, stages, deadline)
