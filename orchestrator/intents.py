"""The built-in ops intents, as plans over the real tools and the ops schema.

service_overview  {service}  one stage: overview SQL, metrics, topology
incident_triage   {service}  open incidents + topology, then error-rate
                             metrics for the service and its direct dependencies
ad_hoc_query      {sql, params?}  the caller's SQL (validated by the tool)

Registering them also makes the planner add the server's audit call to every plan
(`orchestrator.audit_plan`), so no intent or caller plan writes its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import contract

from .contracts import Plan, Stage, ToolCall
from .errors import PlanningError

SERVICE_OVERVIEW_SQL = """
SELECT s.service, s.tier, s.owner_team,
       (SELECT d.version FROM ops.deployments AS d
         WHERE d.service = s.service ORDER BY d.deployed_at DESC LIMIT 1) AS latest_version,
       (SELECT max(d.deployed_at) FROM ops.deployments AS d
         WHERE d.service = s.service) AS latest_deployed_at,
       (SELECT count(*) FROM ops.incidents AS i
         WHERE i.service = s.service AND i.status = 'open') AS open_incidents
FROM ops.services AS s
WHERE s.service = %(service)s
"""
OPEN_INCIDENTS_SQL = """
SELECT i.incident_id, i.service, i.severity, i.title, i.opened_at
FROM ops.incidents AS i
WHERE i.service = %(service)s AND i.status = 'open'
ORDER BY i.opened_at DESC
"""


def register_ops_intents(planner: Any) -> None:
    """Register the built-in intents on an `orchestrator.planner.Planner`."""
    planner.register("service_overview", service_overview)
    planner.register("incident_triage", incident_triage)
    planner.register("ad_hoc_query", ad_hoc_query)
    planner.audit_every_request()


def service_overview(params: Mapping[str, Any]) -> Plan:
    service = _checked("service_overview", params)["service"]
    return Plan(
        stages=[
            Stage(
                calls=[
                    ToolCall(
                        call_id="overview",
                        tool_id="direct_query",
                        arguments={"sql": SERVICE_OVERVIEW_SQL, "params": {"service": service}},
                    ),
                    ToolCall(
                        call_id="latency",
                        tool_id="metrics",
                        arguments={
                            "service": service,
                            "metric": "latency_p95_ms",
                            "window_minutes": 15,
                        },
                    ),
                    ToolCall(
                        call_id="topology",
                        tool_id="topology",
                        arguments={"service": service, "depth": 2},
                    ),
                ]
            )
        ]
    )


def incident_triage(params: Mapping[str, Any]) -> Plan:
    service = _checked("incident_triage", params)["service"]
    return Plan(
        stages=[
            Stage(
                calls=[
                    ToolCall(
                        call_id="incidents",
                        tool_id="direct_query",
                        arguments={"sql": OPEN_INCIDENTS_SQL, "params": {"service": service}},
                    ),
                    ToolCall(
                        call_id="topology",
                        tool_id="topology",
                        arguments={"service": service, "depth": 1},
                    ),
                ]
            ),
            Stage(
                calls=[
                    ToolCall(
                        call_id="error_rates",
                        tool_id="metrics",
                        depends_on=["topology"],
                        arguments={
                            "dependencies_from": "topology",
                            "metric": "error_rate",
                            "window_minutes": 30,
                        },
                    ),
                ]
            ),
        ]
    )


def ad_hoc_query(params: Mapping[str, Any]) -> Plan:
    _checked("ad_hoc_query", params)
    sql = params["sql"]
    query_params = params.get("params", {})
    return Plan(
        stages=[
            Stage(
                calls=[
                    ToolCall(
                        call_id="query",
                        tool_id="direct_query",
                        arguments={"sql": sql, "params": dict(query_params)},
                    ),
                ]
            )
        ]
    )


def _checked(intent: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
    """`params`, once they fit the intent's parameter schema in the contract."""
    problem = contract.parameter_error(intent, params)
    if problem is not None:
        raise PlanningError(problem)
    return params
