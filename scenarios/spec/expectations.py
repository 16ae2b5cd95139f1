"""What must hold during a scenario: one small model per expectation kind.

Each list item of `expectations:` has exactly one kind key, and may be scoped to a
phase (`baseline`, `burst`, `fault`, `recovery`; omitted = the whole method)::

    - status: {partial: ">= 0.8", failed: "<= 0.05"}    # share of the scenario's own requests
      phase: fault
        # judged at the scenario's confidence: a bound strictly between 0 and 1 holds once
        # its confidence sequence is inside it; "<= 0" and ">= 1" are judged on every request
    - tool_errors: {metrics: [timeout, circuit_open], direct_query: []}
        # every failed call of the tool has one of these codes, and at least one failed;
        # [] means the tool must not fail at all (other tools unaffected)
    - {tool_errors: {direct_query: []}, traffic: own}
        # the same over the scenario's own requests only: an attack's refusal is its point
    - codes_seen: {direct_query: [circuit_open]}          # each code appears at least once
    - within_deadline: {deadline_ms: 5000, grace_ms: 1000}
        # every answer by the promised deadline plus a stated grace
    - latency_vs_baseline: {percentile: 90, max_ratio: 3}
        # this phase's p90 at most 3 x the same run's baseline p90 (intervals on both sides);
        # a ratio punishes a fast system for a fixed cost: prefer latency_added
    - latency_added: {percentile: 50, max_added_ms: 250}
        # this phase's p50 at most 250 ms above the same run's baseline p50
    - status_vs_baseline: {status: success, max_drop: 0.25}
      phase: fault
        # this phase's share of `success` at most 25 points below the same run's baseline
        # share (the scenario's own requests; intervals on both sides): a system that is
        # slow when healthy is judged against itself, not against a fixed share
    - max_latency_ms: 2500                                 # slowest request (absolute)
    - latency_percentile: {percentile: 95, max_ms: 800}    # absolute
    - no_cross_tenant_data: true                           # no row of another tenant in any answer
    - audit_exactly_once: true                             # one audit record per request
    - audit_detail_whole: true                             # its string parameters whole
    - memory_growth_mib: 64    # the system's peak memory over the method, above its start
    - metrics_growth_kib: 256  # how much its GET /metrics may grow over the method
    - spool_bytes_within_bound: {max_bytes: "=audit_spool_max_bytes", slack_bytes: 262144}
        # the audit spool folder (GAUNTLET_SPOOL_DIR), sampled through the method, grows by
        # at most the bound plus the slack; one that never came within the slack of its
        # bound did not meet it: inconclusive, never a pass
    - security_refusals: true                              # every attack request refused
    - security_refusals: {codes: [tenant_violation]}       # ... with one of these codes
    - attacks_contained: true
        # every attack answered (HTTP 200) and no answer to one holds another tenant's rows:
        # a refusal and an honest empty answer both pass; fewer than 12 attacks answered
        # (refused up front with a 4xx, say) is inconclusive, never a pass
    - attacks_contained: {refused_with: [unsafe_query, invalid_arguments]}
        # ... and each answered attack failed with one of these codes (it never ran)
    - honest_status: true        # every answer's status is the one its call results imply
    - breaker_opens_on_upstream: true
        # a tool answers `circuit_open` only in a run where it also failed with an upstream
        # code (timeout, connection_error, upstream_error...): callers' own errors never
        # open a breaker. Judge it where no failure can hide (the world intact): a retried
        # attempt that failed is counted by a breaker and never seen in an answer
    - tool_errors: {direct_query: [rate_limited]}
      owed_past_rate: {per_second: 30, burst: 20}
        # the refusals are owed only once one tenant's requests outran that token bucket
        # (a slow system never does): until then the check is inconclusive, never a fail;
        # and the tool's successful calls must fit in it (from a request's send to the
        # latest answer): refusals only past a larger bucket (the whole tool's) fail
    - calls_within_rate: {direct_query: {per_second: 30, burst: 20}}
        # each tenant's successful calls fit in that bucket (a tenant's declared share of
        # the rate, say); judged after the method: inconclusive until one tenant's requests
        # outran it (the last stretch runs on, within its budget, until one has)
    - fault_landed: {metrics: [connection_error, timeout, circuit_open]}
        # the fault reached the system: the tool failed at least once, always with one of
        # these codes; a phase where it never failed is inconclusive, never a pass
    - {refused_before_database: true, needs: [query_validator]}
        # a declared validator refused the attacks before the database saw them: the
        # database's own log shows no statement of the system's roles naming the attack's
        # SQL; fewer than 12 attacks answered, or a log that cannot be read (a database
        # given by URL) or shows none of the system's own statements, is inconclusive
    - attacks_audited: 4
        # at least 4 attack requests, and every one answered with its audit acknowledged;
        # otherwise the attack never reached the audit path: inconclusive, never a pass

Any expectation may list what the system must declare for it to be a promise, and any of
its numbers may follow from a declaration (`scenarios.spec.promise_expressions`)::

    - {tool_errors: {direct_query: [concurrency_limit]}, needs: [tenant_slots.direct_query]}
    - latency_percentile: {percentile: 50, max_ms: "=call_deadline_ms.metrics * 0.6"}

When the system in effect does not declare one of them, the expectation is not judged.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from contract import TOOL_IDS, ToolErrorCode
from vocabulary import Phase, RatioBoundField, Status, did_you_mean

from .promise_expressions import known_quantity

__all__ = [
    "AnyExpectation",
    "AttacksAudited",
    "AttacksContained",
    "AuditDetailWhole",
    "AuditExactlyOnce",
    "MemoryGrowth",
    "MetricsGrowth",
    "CodesSeen",
    "ToolsAdmitted",
    "EXPECTATION_KINDS",
    "FaultLanded",
    "HonestStatus",
    "BreakerOpensOnUpstream",
    "CallsWithinRate",
    "LatencyAdded",
    "LatencyPercentile",
    "LatencyVsBaseline",
    "MaxLatency",
    "NoCrossTenantData",
    "RefusedBeforeDatabase",
    "SecurityRefusals",
    "SpoolBound",
    "SpoolBytesWithinBound",
    "StatusMix",
    "StatusVsBaseline",
    "ToolErrors",
    "WithinDeadline",
]


def _known_tool(tool: str) -> str:
    # A misspelt tool would match no answer, so its expectation would pass vacuously.
    if tool not in TOOL_IDS:
        hint = did_you_mean(tool, TOOL_IDS)
        raise ValueError(f"expected a tool id ({', '.join(TOOL_IDS)}), got {tool!r}{hint}")
    return tool


ToolId = Annotated[str, AfterValidator(_known_tool)]


PromisedQuantity = Annotated[str, AfterValidator(known_quantity)]


class _Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str]
    phase: Phase | None = None  # None: every request of the method
    # what the system must declare for this to be one of its promises (besides what the
    # expectation's own `=...` numbers read); undeclared: not judged
    needs: list[PromisedQuantity] = Field(default_factory=list)


class StatusMix(_Expectation):
    kind: ClassVar[str] = "status"
    status: dict[Status, RatioBoundField] = Field(min_length=1)


class RateBucket(BaseModel):
    """A token bucket: `per_second` refill, `burst` tokens at most."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_second: float = Field(gt=0)
    burst: float = Field(ge=0)


class ToolErrors(_Expectation):
    kind: ClassVar[str] = "tool_errors"
    tool_errors: dict[ToolId, list[ToolErrorCode]] = Field(min_length=1)
    # own: only the scenario's own requests, so an attack's refusal is not the victims' failure
    traffic: Literal["all", "own"] = "all"
    # the codes are owed only once one tenant's requests outran this bucket: a system that
    # answers slower than it refills is never over its rate; and the calls it let through
    # must fit in it (scenarios.runner.offered_rate)
    owed_past_rate: RateBucket | None = None


class CallsWithinRate(_Expectation):
    """Each tenant's successful calls of a tool fit in the token bucket named for it (from
    a request's send to the latest answer: the system admitted each call in between).
    Judged after the method, on the whole of it; until one tenant's requests outran the
    bucket, a system that keeps it is not told from one that does not: inconclusive, and
    the method's last stretch runs on (within its budget) until one has."""

    kind: ClassVar[str] = "calls_within_rate"
    calls_within_rate: dict[ToolId, RateBucket] = Field(min_length=1)


class MaxLatency(_Expectation):
    kind: ClassVar[str] = "max_latency_ms"
    max_latency_ms: float = Field(gt=0)


class MemoryGrowth(_Expectation):
    """The system's resident memory over the whole method (its peak, from the kernel's
    high-water mark) grows by at most `memory_growth_mib` over what it held when the method
    began. Judged only where Gauntlet can read the system's processes (`target/memory.py`):
    elsewhere it is not judged, with the reason."""

    kind: ClassVar[str] = "memory_growth_mib"
    memory_growth_mib: float = Field(gt=0)

    @field_validator("phase")
    @classmethod
    def _whole_method(cls, value: Phase | None) -> Phase | None:
        if value is not None:
            raise ValueError("memory growth is measured over the whole method: omit phase")
        return value


class MetricsGrowth(_Expectation):
    """The size of the system's `GET /metrics` (asked with a tenant's key) grows by at most
    `metrics_growth_kib` over the whole method: its label set stays bounded, whatever
    callers send. Not judged where the system serves no `/metrics`."""

    kind: ClassVar[str] = "metrics_growth_kib"
    metrics_growth_kib: float = Field(gt=0)

    @field_validator("phase")
    @classmethod
    def _whole_method(cls, value: Phase | None) -> Phase | None:
        if value is not None:
            raise ValueError("metrics growth is measured over the whole method: omit phase")
        return value


class SpoolBound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: float = Field(gt=0)  # the promise: the most the records waiting may take
    # what the folder may hold beyond it: writers appending at once, a file's framing
    slack_bytes: float = Field(ge=0)


class SpoolBytesWithinBound(_Expectation):
    """The system's audit spool folder (`GAUNTLET_SPOOL_DIR`, every file under it), sampled
    through the whole method, grows by at most `max_bytes` + `slack_bytes` over what it
    held when the method began. A folder whose growth never came within `slack_bytes` of
    `max_bytes` never met its bound (the outage was too short, or the records are kept
    elsewhere): inconclusive. Not judged where Gauntlet does not know the folder."""

    kind: ClassVar[str] = "spool_bytes_within_bound"
    spool_bytes_within_bound: SpoolBound

    @field_validator("phase")
    @classmethod
    def _whole_method(cls, value: Phase | None) -> Phase | None:
        if value is not None:
            raise ValueError("the spool is sampled over the whole method: omit phase")
        return value


class DeadlineBound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    deadline_ms: float = Field(gt=0)  # the promise, e.g. the request deadline
    grace_ms: float = Field(ge=0)  # what the answer may take beyond it (transport, scheduling)


class CodesSeen(_Expectation):
    """Codes that must appear, e.g. where the breaker's answer matters: `circuit_open`."""

    kind: ClassVar[str] = "codes_seen"
    codes_seen: dict[ToolId, list[ToolErrorCode]] = Field(min_length=1)


class ToolsAdmitted(_Expectation):
    """A limit under pressure still admits work: each tool named succeeded, on its own (not
    by its fallback), in at least one of the phase's own requests. A rule: one success
    proves it, so it needs no share the system's speed would set."""

    kind: ClassVar[str] = "tools_admitted"
    tools_admitted: list[ToolId] = Field(min_length=1)


class WithinDeadline(_Expectation):
    """A bound that follows from a promise: the slowest answer is judged, on purpose."""

    kind: ClassVar[str] = "within_deadline"
    within_deadline: DeadlineBound


class RelativeLatencyBound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    percentile: float = Field(gt=0, lt=100)
    max_ratio: float = Field(gt=0)


class LatencyVsBaseline(_Expectation):
    """A percentile of this phase against the same one of the run's baseline phase."""

    kind: ClassVar[str] = "latency_vs_baseline"
    latency_vs_baseline: RelativeLatencyBound


class AddedLatencyBound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    percentile: float = Field(gt=0, lt=100)
    max_added_ms: float = Field(gt=0)


class LatencyAdded(_Expectation):
    """A percentile of this phase at most `max_added_ms` above the baseline's: a fixed cost
    weighs the same on a fast system as on a slow one (a ratio would punish the fast)."""

    kind: ClassVar[str] = "latency_added"
    latency_added: AddedLatencyBound


class StatusDrop(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Status = Status.SUCCESS
    max_drop: float = Field(gt=0, lt=1)  # a share, 0.25 = 25 points


class StatusVsBaseline(_Expectation):
    """This phase's share of a status against the same share of the run's baseline phase:
    a find needs the drop beyond `max_drop` with confidence, so noise is never one."""

    kind: ClassVar[str] = "status_vs_baseline"
    status_vs_baseline: StatusDrop

    @model_validator(mode="after")
    def _a_phase_to_compare(self) -> StatusVsBaseline:
        if self.phase is None or self.phase is Phase.BASELINE:
            raise ValueError("compared with the baseline: name a phase (fault, recovery, burst)")
        return self


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


class AuditDetailWhole(_Expectation):
    """Each audit record holds its request's string parameters whole (the SQL of an ad hoc
    query, all of it): a record cut short leaves the rest of the request unaudited."""

    kind: ClassVar[str] = "audit_detail_whole"
    audit_detail_whole: Literal[True]


class HonestStatus(_Expectation):
    """Every answer says the status its own call results imply (contract.status_of)."""

    kind: ClassVar[str] = "honest_status"
    honest_status: Literal[True]


class BreakerOpensOnUpstream(_Expectation):
    """A tool refuses with `circuit_open` only where it also failed upstream in the run."""

    kind: ClassVar[str] = "breaker_opens_on_upstream"
    breaker_opens_on_upstream: Literal[True]


class FaultLanded(_Expectation):
    """The fault reached the system: each named tool failed at least once in the phase,
    and only with the codes listed. Never seen: inconclusive (the fault did not land)."""

    kind: ClassVar[str] = "fault_landed"
    fault_landed: dict[ToolId, list[ToolErrorCode]] = Field(min_length=1)

    @field_validator("fault_landed")
    @classmethod
    def _codes_named(cls, value: dict[str, list[ToolErrorCode]]) -> dict:
        if any(not codes for codes in value.values()):
            raise ValueError("name the codes that show the fault reached each tool")
        return value


class AttacksAudited(_Expectation):
    """At least this many attack requests, each answered with its audit acknowledged: the
    attack reached the audit path. A refused or unaudited one leaves it inconclusive."""

    kind: ClassVar[str] = "attacks_audited"
    attacks_audited: int = Field(ge=1)


class RefusalCodes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # empty: any security code (tenant_violation, unauthenticated, unsafe_query)
    codes: list[ToolErrorCode] = Field(default_factory=list)


def _true_means_any_code(value: Any) -> Any:
    return {} if value is True else value


class SecurityRefusals(_Expectation):
    kind: ClassVar[str] = "security_refusals"
    security_refusals: Annotated[RefusalCodes, BeforeValidator(_true_means_any_code)]


class Containment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # empty: any answer will do, a refusal or an honest one; only foreign rows fail
    refused_with: list[ToolErrorCode] = Field(default_factory=list)


def _true_means_any_answer(value: Any) -> Any:
    return {} if value is True else value


class AttacksContained(_Expectation):
    """The attacks reached the system and leaked nothing: at least 12 attack requests
    answered (HTTP 200), none holding another tenant's rows, and (with `refused_with`)
    each failed with one of those codes. Too few answered: inconclusive."""

    kind: ClassVar[str] = "attacks_contained"
    attacks_contained: Annotated[Containment, BeforeValidator(_true_means_any_answer)]


class RefusedBeforeDatabase(_Expectation):
    """The attacks' SQL never reached the database: its own statement log shows no
    statement of the system's roles naming it (`TenantAttack.statement_mark`). Judged
    after the method, on the whole of it."""

    kind: ClassVar[str] = "refused_before_database"
    refused_before_database: Literal[True]


EXPECTATION_KINDS: dict[str, type[_Expectation]] = {
    cls.kind: cls
    for cls in (
        StatusMix,
        ToolErrors,
        CodesSeen,
        ToolsAdmitted,
        WithinDeadline,
        LatencyVsBaseline,
        LatencyAdded,
        StatusVsBaseline,
        MaxLatency,
        LatencyPercentile,
        NoCrossTenantData,
        AuditExactlyOnce,
        AuditDetailWhole,
        MemoryGrowth,
        MetricsGrowth,
        SpoolBytesWithinBound,
        SecurityRefusals,
        HonestStatus,
        BreakerOpensOnUpstream,
        FaultLanded,
        AttacksAudited,
        AttacksContained,
        RefusedBeforeDatabase,
        CallsWithinRate,
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
