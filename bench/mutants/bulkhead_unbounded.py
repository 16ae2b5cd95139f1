"""Every tool's bulkhead admits any number of calls, and no tenant share applies."""

from __future__ import annotations

DEFECT = "bulkhead unbounded: any number of concurrent calls per tool, no tenant share"
SCENARIOS = ("bulkhead-tenant-share", "burst-bulkhead")


def apply() -> None:
    from catalogue import replace

    from orchestrator.bulkhead import Bulkhead

    def unbounded(self, _limit, **options):  # type: ignore[no-untyped-def]
        build(self, 1_000_000, **{**options, "tenant_share": 1.0})

    build = replace(Bulkhead, "__init__", unbounded)
