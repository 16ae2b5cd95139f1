"""What must hold during a scenario: one small model per expectation kind.

Each list item of `expectations:` has exactly one kind key, and may be scoped to a
phase (`baseline`, `fault`, `recovery`; omitted = the whole method)::

    - status: {partial: ">= 0.8", failed: "<= 0.05"}    # share of requests per status
      phase: fault
    - tool_errors: {metrics: [timeout], direct_query: []}
        # every failed call of the tool has one of these codes, and at least one failed;
        # [] means the tool must not fail at all (other tools unaffected)
    - max_latency_ms: 2500                                 # slowest request
    - latency_percentile: {percentile: 95, max_ms: 800}
    - no_cross_tenant_data: true                           # no row of another tenant in any answer
    - audit_exactly_once: true                             # one audit record per request
    - security_refusals: true                              # every attack request refused
    - security_refusals: {codes: [tenant_violation]}       # ... with one of these codes
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag

from orchestrator.contracts import ToolErrorCode
from vocabulary import Phase, RatioBoundField, Status

__all__ = [
    "AnyExpectation",
    "AuditExactlyOnce",
    "EXPECTATION_KINDS",
    "LatencyPercentile",
    "MaxLatency",
    "NoCrossTenantData",
    "SecurityRefusals",
    "StatusMix",
    "ToolErrors",
]


class _Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str]
    phase: Phase | None = None  # None: every request of the method


class StatusMix(_Expectation):
    kind: ClassVar[str] = "status"
    status: dict[Status, RatioBoundField] = Field(min_length=1)


class ToolErrors(_Expectation):
    kind: ClassVar[str] = "tool_errors"
    tool_errors: dict[Annotated[str, Field(min_length=1)], list[ToolErrorCode]] = Field(
        min_length=1
    )


class MaxLatency(_Expectation):
    kind: ClassVar[str] = "max_latency_ms"
    max_latency_ms: float = Field(gt=0)


class PercentileBound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    percentile: float = Field(gt=0, lt=100)
    max_ms: float = Field(gt=0)


class LatencyPercentile(_Expectation):
    kind: ClassVar[str] = "latency_percentile"
    latency_percentile: PercentileBound


class NoCrossTenantData(_Expectation):
    kind: ClassVar[str] = "no_cross_tenant_data"
    no_cross_tenant_data: Literal[True]


class AuditExactlyOnce(_Expectation):
    kind: ClassVar[str] = "audit_exactly_once"
    audit_exactly_once: Literal[True]


class RefusalCodes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # empty: any security code (tenant_violation, unauthenticated, unsafe_query)
    codes: list[ToolErrorCode] = Field(default_factory=list)


def _true_means_any_code(value: Any) -> Any:
    return {} if value is True else value


class SecurityRefusals(_Expectation):
    kind: ClassVar[str] = "security_refusals"
    security_refusals: Annotated[RefusalCodes, BeforeValidator(_true_means_any_code)]


EXPECTATION_KINDS: dict[str, type[_Expectation]] = {
    cls.kind: cls
    for cls in (
        StatusMix,
        ToolErrors,
        MaxLatency,
        LatencyPercentile,
        NoCrossTenantData,
        AuditExactlyOnce,
        SecurityRefusals,
    )
}


def _kind_of(value: Any) -> str | None:
    if isinstance(value, _Expectation):
        return f"expect:{value.kind}"
    if isinstance(value, dict):
        present = [key for key in value if key in EXPECTATION_KINDS]
        return f"expect:{present[0]}" if len(present) == 1 else None
    return None


# Tags carry a prefix so they never collide with a key of the file (see vocabulary.yaml_input).
AnyExpectation = Annotated[
    Union[  # noqa: UP007
        tuple(Annotated[cls, Tag(f"expect:{kind}")] for kind, cls in EXPECTATION_KINDS.items())
    ],  # type: ignore[valid-type]
    Discriminator(
        _kind_of,
        custom_error_type="expectation_kind",
        custom_error_message="expected exactly one of the keys " + ", ".join(EXPECTATION_KINDS),
    ),
]
