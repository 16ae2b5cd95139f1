"""No token bucket ever refuses a call."""

from __future__ import annotations

DEFECT = "rate limit off: the tools' token buckets admit every call"
SCENARIOS = ("rate-limit-tenant-share", "rate-limit-burst")


def apply() -> None:
    from catalogue import replace

    from orchestrator.rate_limit import TenantRateLimits

    def admit(self, tenant):  # type: ignore[no-untyped-def]
        return None

    replace(TenantRateLimits, "acquire_or_fail", admit)
