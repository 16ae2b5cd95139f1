"""The audit record is written only for a request whose other calls all succeeded."""

from __future__ import annotations

DEFECT = "audit only for success: a request with a failed call is answered with no record"
SCENARIOS = ("audit-every-answer",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.audit_plan import AUDIT_CALL_ID
    from orchestrator.contracts import Plan, Stage
    from orchestrator.executor import Orchestrator
    from orchestrator.status import aggregate_status

    def audit_last(plan: Plan) -> Plan:
        """The audit call moved to a stage of its own that depends on every other call."""
        audits = [c for s in plan.stages for c in s.calls if c.call_id == AUDIT_CALL_ID]
        stages = [
            Stage(calls=[c for c in s.calls if c.call_id != AUDIT_CALL_ID]) for s in plan.stages
        ]
        others = [c.call_id for s in stages for c in s.calls]
        last = [a.model_copy(update={"depends_on": others}) for a in audits]
        return Plan(
            stages=[*(s for s in stages if s.calls), *([Stage(calls=last)] if last else [])]
        )

    async def orchestrate(self, request, *, authenticated=True, plan=None):  # type: ignore[no-untyped-def]
        if plan is None:
            plan = self.planner.plan(request)
        response = await original(self, request, authenticated=authenticated, plan=audit_last(plan))
        kept = [r for r in response.results if r.call_id != AUDIT_CALL_ID or r.success]
        if len(kept) == len(response.results):
            return response
        return response.model_copy(  # the unwritten audit is not mentioned at all
            update={
                "results": kept,
                "status": aggregate_status(kept),
                "failed_tools": [t for t in response.failed_tools if t != "audit"],
            }
        )

    original = replace(Orchestrator, "orchestrate", orchestrate)
