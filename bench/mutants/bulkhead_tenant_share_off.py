"""The bulkhead keeps its tool-wide slots but no tenant share: one tenant may hold them all."""

from __future__ import annotations

DEFECT = "bulkhead with no tenant share: one tenant's flood holds every slot of the tool"
SCENARIOS = ("bulkhead-tenant-isolation",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.bulkhead import Bulkhead

    def tool_wide_only(self, limit, **options):  # type: ignore[no-untyped-def]
        build(self, limit, **{**options, "tenant_share": 1.0})

    build = replace(Bulkhead, "__init__", tool_wide_only)
