"""The audit tool acknowledges a record it never writes."""

from __future__ import annotations

DEFECT = "audit not written: the record is acknowledged, no row is inserted"
SCENARIOS = ("cross-tenant-query", "audit-id-squatting")


def apply() -> None:
    from catalogue import replace

    from orchestrator.tools._audit import AuditTool

    async def acknowledged_only(self, arguments, ctx):  # type: ignore[no-untyped-def]
        return {"request_id": ctx.request_id, "recorded": True}

    replace(AuditTool, "run", acknowledged_only)
