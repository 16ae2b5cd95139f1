"""The server's audit call, added to every plan: the caller can neither skip nor shape it.

Decision: the planner, not the caller and not the executor, owns the audit call. Every
plan (an intent's or the caller's own) gets one `audit` call in its first stage, so it
runs alongside the first calls (no added latency) and is written even when a later stage
fails. Its `action` (the intent's name, or `explicit_plan`) and `detail` (the intent's
parameters, or the plan's calls) are derived from the request here, whole (`_recorded`). A
caller plan that names the `audit` tool, or the reserved call id, is refused as a
planning error: it could otherwise forge a record.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .contracts import OrchestrationRequest, Plan, Stage, ToolCall
from .errors import PlanningError

AUDIT_TOOL_ID = "audit"
AUDIT_CALL_ID = "audit"
EXPLICIT_PLAN_ACTION = "explicit_plan"
# A detail up to this size is recorded whole: every request the default body limit (64 KiB)
# lets in, with all its SQL and every call. Past it (a service given a larger body limit),
# the record keeps a prefix with the whole detail's length and SHA-256, so no request runs
# unaudited and the audit log cannot become a hostile request's storage.
MAX_DETAIL_BYTES = 65536
_PREFIX_CHARACTERS = 4096


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
        arguments={"action": action, "detail": _recorded(detail)},
    )
    first, *rest = plan.stages
    return Plan(stages=[Stage(calls=[*first.calls, audit]), *rest])


def _recorded(detail: dict[str, Any]) -> dict[str, Any]:
    """`detail` whole, or, past `MAX_DETAIL_BYTES`, what identifies it."""
    # as compact UTF-8 it is never larger than the JSON body it was parsed from
    text = json.dumps(
        detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    encoded = text.encode("utf-8", "surrogatepass")  # a lone surrogate is measured, not refused
    if len(encoded) <= MAX_DETAIL_BYTES:
        return detail
    return {
        "oversized": True,
        "bytes": len(encoded),
        "sha256": hashlib.sha256(encoded).hexdigest(),
        "prefix": text[:_PREFIX_CHARACTERS],
    }
