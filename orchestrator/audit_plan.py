"""The server's audit call, added to every plan: the caller can neither skip nor shape it.

Decision: the planner, not the caller and not the executor, owns the audit call. Every
plan (an intent's or the caller's own) gets one `audit` call in its first stage, so it
runs alongside the first calls (no added latency) and is written even when a later stage
fails. Its `action` (the intent's name, or `explicit_plan`) and `detail` (the intent's
parameters, or the plan's calls) are derived from the request here, bounded in size. A
caller plan that names the `audit` tool, or the reserved call id, is refused as a
planning error: it could otherwise forge a record.
"""

from __future__ import annotations

from typing import Any

from .contracts import OrchestrationRequest, Plan, Stage, ToolCall
from .errors import PlanningError

AUDIT_TOOL_ID = "audit"
AUDIT_CALL_ID = "audit"
EXPLICIT_PLAN_ACTION = "explicit_plan"
# Enough to tell what a request asked for, small enough that a hostile request cannot
# make the audit log its storage.
_MAX_TEXT = 500
_MAX_ITEMS = 20
_MAX_DEPTH = 4


def refuse_caller_audit(plan: Plan) -> None:
    for stage in plan.stages:
        for call in stage.calls:
            if call.tool_id == AUDIT_TOOL_ID or call.call_id == AUDIT_CALL_ID:
                raise PlanningError(
                    f"call {call.call_id!r}: the audit record is written by the server; "
                    f"a plan may not call tool {AUDIT_TOOL_ID!r} or use call id "
                    f"{AUDIT_CALL_ID!r}"
                )


def with_server_audit(plan: Plan, request: OrchestrationRequest) -> Plan:
    """`plan` with the audit call of `request` added to its first stage."""
    if request.plan is not None:
        action = EXPLICIT_PLAN_ACTION
        detail = {
            "calls": [
                {"call_id": c.call_id, "tool_id": c.tool_id, "arguments": c.arguments}
                for stage in request.plan.stages
                for c in stage.calls
            ]
        }
    else:
        action = str(request.intent)
        detail = {"intent": request.intent, "parameters": request.parameters}
    audit = ToolCall(
        call_id=AUDIT_CALL_ID,
        tool_id=AUDIT_TOOL_ID,
        arguments={"action": action, "detail": _bounded(detail, _MAX_DEPTH)},
    )
    first, *rest = plan.stages
    return Plan(stages=[Stage(calls=[*first.calls, audit]), *rest])


def _bounded(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return value[:_MAX_TEXT]
    if depth <= 0 and isinstance(value, (dict, list, tuple)):
        return "…"
    if isinstance(value, dict):
        items = list(value.items())[:_MAX_ITEMS]
        return {str(k)[:_MAX_TEXT]: _bounded(v, depth - 1) for k, v in items}
    if isinstance(value, (list, tuple)):
        return [_bounded(v, depth - 1) for v in value[:_MAX_ITEMS]]
    return value
