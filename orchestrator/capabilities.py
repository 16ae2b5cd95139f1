"""What each tool declares about itself.

The execution policy (bulkhead, deadline, rate limit, size cap, tenancy, breaker,
retry, fallback) is derived from these fields, so a capability is a promise the
orchestrator enforces on every call, not documentation.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import CapabilityError


class CapabilityType(StrEnum):
    READ_WRITE = "read_write"
    READ_ONLY = "read_only"
    APPEND_ONLY = "append_only"
    TIME_SERIES = "time_series"

    @property
    def idempotent(self) -> bool:
        """Reads may be retried; anything that writes may not."""
        return self in (CapabilityType.READ_ONLY, CapabilityType.TIME_SERIES)


class ToolCapability(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tool_id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    capability_type: CapabilityType
    max_concurrent_calls: int = Field(default=10, ge=1, le=10_000)
    timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    rate_limit_per_minute: int | None = Field(default=None, ge=1)
    # Token-bucket capacity: how many calls may arrive at once. None: one minute's budget.
    rate_limit_burst: int | None = Field(default=None, ge=1)
    max_result_size_mb: float = Field(default=10.0, gt=0, le=1024)
    supported_tenants: frozenset[str] | None = None  # None: every tenant
    requires_authentication: bool = True
    fallback_enabled: bool = False

    def allows_tenant(self, tenant_id: str) -> bool:
        return self.supported_tenants is None or tenant_id in self.supported_tenants

    @classmethod
    def build(cls, **fields: object) -> ToolCapability:
        """Like the constructor, but a bad value raises `CapabilityError` with one clear line."""
        try:
            return cls(**fields)
        except ValidationError as exc:
            raise CapabilityError(_one_line(fields.get("tool_id"), exc)) from None


def _one_line(tool_id: object, exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "capability"
        parts.append(f"{field}: {error['msg']} (got {error.get('input')!r})")
    return f"capability {tool_id!r}: " + "; ".join(parts)
