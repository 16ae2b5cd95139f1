"""Audit deduplicates on the request id alone, across tenants."""

from __future__ import annotations

DEFECT = "audit-id squatting: a request id already audited for any tenant is not written again"
SCENARIOS = ("audit-id-squatting",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.tools._audit import AuditTool

    audited: set[str] = set()

    async def once_per_request_id(self, arguments, ctx):  # type: ignore[no-untyped-def]
        if ctx.request_id in audited:
            return {"request_id": ctx.request_id, "recorded": True}
        audited.add(ctx.request_id)
        return await write(self, arguments, ctx)

    write = replace(AuditTool, "run", once_per_request_id)
