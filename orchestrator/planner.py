"""Named intents expand to plans; a request may also bring its own plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from .audit_plan import refuse_caller_audit, with_server_audit
from .contracts import OrchestrationRequest, Plan
from .errors import PlanningError

IntentBuilder = Callable[[Mapping[str, Any]], Plan]
"""Turns an intent's parameters into a plan; raises `PlanningError` on bad parameters."""


class Planner:
    def __init__(self, builders: Mapping[str, IntentBuilder] | None = None) -> None:
        self._builders: dict[str, IntentBuilder] = {}
        self._audits_every_request = False
        for name, builder in (builders or {}).items():
            self.register(name, builder)

    def register(self, name: str, builder: IntentBuilder) -> None:
        if not name or not isinstance(name, str):
            raise PlanningError(f"an intent needs a non-empty name, got {name!r}")
        if name in self._builders:
            raise PlanningError(f"intent {name!r} is already registered")
        if not callable(builder):
            raise PlanningError(f"intent {name!r}: builder must be callable, got {builder!r}")
        self._builders[name] = builder

    def audit_every_request(self) -> None:
        """From now on every plan carries the server's audit call (`audit_plan`), and a
        caller's plan may not bring its own."""
        self._audits_every_request = True

    def intents(self) -> list[str]:
        return sorted(self._builders)

    def plan(self, request: OrchestrationRequest) -> Plan:
        """The request's explicit plan, or its intent expanded; `PlanningError` otherwise."""
        plan = self._plan(request)
        if not self._audits_every_request:
            return plan
        refuse_caller_audit(plan)
        return with_server_audit(plan, request)

    def _plan(self, request: OrchestrationRequest) -> Plan:
        if request.plan is not None:
            return request.plan
        name = request.intent
        builder = self._builders.get(name or "")
        if builder is None:
            known = ", ".join(self.intents()) or "none registered"
            raise PlanningError(f"unknown intent {name!r}; known intents: {known}")
        try:
            plan = builder(request.parameters)
        except PlanningError as exc:
            raise PlanningError(f"intent {name!r}: {exc}") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "plan"
            raise PlanningError(
                f"intent {name!r} built an invalid plan: {where}: {first['msg']}"
            ) from None
        if not isinstance(plan, Plan):
            raise PlanningError(
                f"intent {name!r}: builder returned {type(plan).__name__}, not a Plan"
            )
        return plan
