"""Declared promises: the resilience policy a system states about itself, in a small file.

    request_deadline_seconds: 5
    call_deadline_seconds: {direct_query: 2.5, metrics: 2.5}
    breaker: {failure_threshold: 4, cool_down_seconds: 2, per_tool: true}
    bulkheads: {direct_query: {slots: 10, queue_wait_seconds: 0.05}}
    tenant_share: 0.5
    rate_limits: {direct_query: {per_minute: 3600, burst: 40}}
    upstreams: {cache: "127.0.0.1:6379"}
    query_validator: {max_sql_bytes: 16384}
    audit_spool: {max_pending_bytes: 1048576}

Every field is optional. A scenario judges a system against what it declares, and only
against the universal promises (an answer by the deadline, honest status, no cross-tenant
data, one tenant cannot change another's outcome, audit exactly once) where it declares
nothing. A knob left out means the system does not have it: no limit, no breaker.

`promised(name)` reads one quantity by its dotted name (`tenant_slots.direct_query`),
infinite when undeclared, which is what a scenario's `needs` and promise-valued numbers
refer to (`PROMISED_QUANTITIES` lists them).
"""

from __future__ import annotations

import difflib
import json
import math
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ._tools import TOOL_IDS


def _known_tool(tool: str) -> str:
    # A misspelt tool would declare nothing and silently turn its checks inconclusive.
    # (The contract imports nothing of the project, hence difflib rather than vocabulary.)
    if tool not in TOOL_IDS:
        close = difflib.get_close_matches(tool, TOOL_IDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"expected a tool id ({', '.join(TOOL_IDS)}), got {tool!r}{hint}")
    return tool


ToolId = Annotated[str, AfterValidator(_known_tool)]
_HOST_PORT = r"^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$"
UpstreamName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BreakerPromise(_Strict):
    """Opens after `failure_threshold` consecutive upstream failures (timeout,
    connection_error, upstream_error), refuses as `circuit_open` for `cool_down_seconds`,
    then lets one probe through."""

    failure_threshold: int = Field(ge=1, le=10_000)
    cool_down_seconds: float = Field(gt=0, le=3600)
    per_tool: bool = Field(
        default=True, description="one breaker per tool (false: one per upstream)"
    )


class BulkheadPromise(_Strict):
    """At most `slots` calls of the tool at once; a call waits at most `queue_wait_seconds`
    for a slot, then is refused as `concurrency_limit`."""

    slots: int = Field(ge=1, le=100_000)
    queue_wait_seconds: float = Field(default=0.0, ge=0, le=300)


class RateLimitPromise(_Strict):
    """A token bucket: `per_minute` calls sustained, `burst` at once (default: one
    minute's budget); a call over it is refused at once as `rate_limited`."""

    per_minute: int = Field(ge=1)
    burst: int | None = Field(default=None, ge=1)


class QueryValidatorPromise(_Strict):
    """direct_query's SQL is checked before any of it reaches the database: a statement
    the validator refuses never reaches Postgres (not parsed there, not logged as run)."""

    max_sql_bytes: int | None = Field(
        default=None,
        ge=1,
        le=16 * 1024 * 1024,
        description="the longest SQL text it accepts, in UTF-8 bytes",
    )


class AuditSpoolPromise(_Strict):
    """Audit records the database could not take wait in a local spool of at most
    `max_pending_bytes`: a record past it is refused (its audit call fails), never
    acknowledged, so an outage cannot fill the disk."""

    max_pending_bytes: int = Field(
        ge=1,
        le=2**50,
        description="the most the records waiting for the database may take, in bytes",
    )


def _true_means_declared(value: object) -> object:
    return {} if value is True else value


class Promises(_Strict):
    """What a system promises about its own resilience; all optional."""

    request_deadline_seconds: float | None = Field(
        default=None, gt=0, le=300, description="every request answered within this"
    )
    call_deadline_seconds: dict[ToolId, Annotated[float, Field(gt=0, le=300)]] = Field(
        default_factory=dict, description="tool id -> the deadline of one call of it"
    )
    breaker: BreakerPromise | None = None
    bulkheads: dict[ToolId, BulkheadPromise] = Field(default_factory=dict)
    tenant_share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="the most of a tool's slots and rate, and of a query validator's workers, "
        "one tenant may hold (rounded up)",
    )
    rate_limits: dict[ToolId, RateLimitPromise] = Field(default_factory=dict)
    upstreams: dict[UpstreamName, Annotated[str, Field(pattern=_HOST_PORT)]] = Field(
        default_factory=dict,
        description="further TCP upstreams besides ops and metrics: name -> host:port",
    )
    query_validator: Annotated[
        QueryValidatorPromise | None, BeforeValidator(_true_means_declared)
    ] = Field(
        default=None,
        description="direct_query's SQL is validated before it reaches the database "
        "(`true` or a block)",
    )
    audit_spool: AuditSpoolPromise | None = Field(
        default=None, description="the audit spool's bound during a database outage"
    )

    def promised(self, name: str) -> float:
        """The quantity `name` (see `PROMISED_QUANTITIES`), `math.inf` when undeclared."""
        kind, _, tool = name.partition(".")
        value = _QUANTITIES[kind](self, tool)
        return math.inf if value is None else float(value)


def _tenant(promises: Promises, whole: float | None) -> float | None:
    if whole is None:
        return None
    return max(1, math.ceil(whole * (promises.tenant_share or 1.0)))


def _burst(promises: Promises, tool: str) -> int | None:
    limit = promises.rate_limits.get(tool)
    return None if limit is None else (limit.burst or limit.per_minute)


def _slots(promises: Promises, tool: str) -> int | None:
    bulkhead = promises.bulkheads.get(tool)
    return None if bulkhead is None else bulkhead.slots


def _rate(promises: Promises, tool: str) -> float | None:
    limit = promises.rate_limits.get(tool)
    return None if limit is None else limit.per_minute / 60.0


def _call_ms(promises: Promises, tool: str) -> float | None:
    seconds = promises.call_deadline_seconds.get(tool)
    return None if seconds is None else seconds * 1000.0


def _request_ms(promises: Promises, _: str) -> float | None:
    seconds = promises.request_deadline_seconds
    return None if seconds is None else seconds * 1000.0


def _breaker(promises: Promises, _: str) -> float | None:
    return None if promises.breaker is None else promises.breaker.failure_threshold


def _cool_down_ms(promises: Promises, _: str) -> float | None:
    return None if promises.breaker is None else promises.breaker.cool_down_seconds * 1000.0


def _validator(promises: Promises, _: str) -> float | None:
    return None if promises.query_validator is None else 1.0


def _validator_bytes(promises: Promises, _: str) -> float | None:
    validator = promises.query_validator
    return None if validator is None else validator.max_sql_bytes


def _spool_bytes(promises: Promises, _: str) -> float | None:
    spool = promises.audit_spool
    return None if spool is None else spool.max_pending_bytes


_QUANTITIES = {
    "request_deadline_ms": _request_ms,
    "call_deadline_ms": _call_ms,
    "breaker_failure_threshold": _breaker,
    "breaker_cool_down_ms": _cool_down_ms,
    "bulkhead_slots": _slots,
    "tenant_slots": lambda p, tool: _tenant(p, _slots(p, tool)),
    "rate_per_second": _rate,
    "tenant_rate_per_second": lambda p, tool: _tenant(p, _rate(p, tool)),
    "rate_burst": _burst,
    "tenant_burst": lambda p, tool: _tenant(p, _burst(p, tool)),
    "query_validator": _validator,
    "query_validator_max_sql_bytes": _validator_bytes,
    "audit_spool_max_bytes": _spool_bytes,
}
PER_TOOL = frozenset(
    {
        "call_deadline_ms",
        "bulkhead_slots",
        "tenant_slots",
        "rate_per_second",
        "tenant_rate_per_second",
        "rate_burst",
        "tenant_burst",
    }
)
PROMISED_QUANTITIES: tuple[str, ...] = tuple(
    name
    for kind in _QUANTITIES
    for name in ([f"{kind}.{tool}" for tool in TOOL_IDS] if kind in PER_TOOL else [kind])
)
"""Every name `Promises.promised` reads: `request_deadline_ms`, `tenant_slots.metrics`, ..."""


def promises_json_schema() -> dict[str, object]:
    """The published JSON Schema (draft 2020-12) of a promises file."""
    schema = Promises.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "gauntlet/promises.schema.json",
    } | schema


def promises_json_schema_text() -> str:
    return json.dumps(promises_json_schema(), indent=2) + "\n"
