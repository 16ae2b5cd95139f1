"""One breaker per tool, shared by every tenant, counting every tenant's failures alike."""

from __future__ import annotations

DEFECT = "one tenant's statements cut by their timeout open the breaker every tenant shares"
SCENARIOS = ("breaker-tenant-isolation",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.breaker import TenantBreakers

    def admit(self: TenantBreakers, tenant: str) -> None:
        self.shared.admit()

    def record(self: TenantBreakers, tenant: str, code: object) -> None:
        self.shared.record(code)  # no tenant: no share of the streak, no breaker of its own

    replace(TenantBreakers, "admit", admit)
    replace(TenantBreakers, "record", record)
