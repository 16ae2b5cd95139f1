"""The rate limit keeps its tool-wide bucket but no tenant share: one tenant may spend it."""

from __future__ import annotations

DEFECT = "rate limit with no tenant share: one tenant's flood spends the whole tool's bucket"
SCENARIOS = ("rate-limit-tenant-share",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.rate_limit import TenantRateLimits

    def tool_wide_only(self, rate_per_minute, **options):  # type: ignore[no-untyped-def]
        build(self, rate_per_minute, **{**options, "tenant_share": 1.0})

    build = replace(TenantRateLimits, "__init__", tool_wide_only)
