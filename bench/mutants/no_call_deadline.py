"""No deadline anywhere on a call: neither the call's nor the request's cuts it short, and
the tools' own budgets (statement_timeout, pool waits) are an hour."""

from __future__ import annotations

import dataclasses
import math

DEFECT = "no call deadline: a tool call waits for its upstream however long it takes"
SCENARIOS = ("breaker-fails-fast", "metrics-latency-cascade")
_AN_HOUR = 3600.0


def apply() -> None:
    from catalogue import replace, require_fields

    from orchestrator.call_policy import CallRules, GuardedTool
    from orchestrator.tools import _audit, _direct_query, _metrics, _tenant_tx, _topology

    require_fields(CallRules, "deadline_at", "request_deadline_at")

    def without_deadline(self, started, request_deadline_at):  # type: ignore[no-untyped-def]
        return dataclasses.replace(
            rules(self, started, request_deadline_at),
            deadline_at=math.inf,
            request_deadline_at=math.inf,
        )

    rules = replace(GuardedTool, "rules", without_deadline)
    for module in _tenant_tx, _audit, _direct_query, _metrics, _topology:
        replace(module, "budget_for", lambda _budget, _default: _AN_HOUR)
