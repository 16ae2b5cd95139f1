"""The fault catalogue: faults as data, applied as context managers that always roll back.

from chaos.faults import AnyFault, parse_fault

with parse_fault({"kind": "latency", "upstream": "metrics", "latency_ms": 500}).apply(target):
    ...
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from .async_driver import applied
from .audit import AuditPoisonRecordFault, SpoolDiskFullFault
from .base import FAULT_KINDS, Fault, register_fault
from .database_schema import DropColumnFault, RenameColumnFault, TableLockFault
from .database_server import (
    DbKillFault,
    DbRestartFault,
    DbStopFault,
    ExhaustConnectionsFault,
    TerminateBackendsFault,
)
from .errors import FaultError, FaultInjectionError, FaultRollbackError
from .http_clients import JunkMethodsFault, SlowClientsFault
from .network import (
    BandwidthFault,
    DownFault,
    LatencyFault,
    LimitDataFault,
    ResetPeerFault,
    SlicerFault,
    SlowCloseFault,
    TimeoutFault,
    ToxicFault,
)
from .planned_request import Crowd, PlannedRequest
from .registered import registered_fault
from .target import BUILTIN_UPSTREAMS, DatabaseServer, FaultTarget, Upstream, unknown_upstream
from .tenant import (
    CrossTenantQueryFault,
    ForgedApiKeyFault,
    InjectionFault,
    MissingApiKeyFault,
    TenantAttack,
)
from .tenant_abuse import (
    AdvisoryLockFloodFault,
    AuditIdSquatFault,
    CallerErrorBurstFault,
    CancelForeignQueriesFault,
    ExpensiveQueryFloodFault,
    ForeignSqlTextFault,
    HugeRowFault,
    QueryFloodFault,
    SqlAttack,
    TinyDeadlineFault,
    ValidatorHeavySqlFault,
)

AnyFault = registered_fault(Fault)
"""Any registered fault kind, chosen by its `kind` field (embed this in scenario models).

The registry is read at validation, so a kind registered after import is accepted too."""

_ANY_FAULT: TypeAdapter[Fault] = TypeAdapter(AnyFault)


def upstreams_named(fault: Fault) -> tuple[str, ...]:
    """The upstreams `fault` targets by name (network faults name one; others none)."""
    name = getattr(fault, "upstream", None)
    return (name,) if isinstance(name, str) else ()


def parse_fault(raw: Any) -> Fault:
    """Validate one fault from plain data (raises `pydantic.ValidationError`)."""
    return _ANY_FAULT.validate_python(raw)


__all__ = [
    "BUILTIN_UPSTREAMS",
    "FAULT_KINDS",
    "AdvisoryLockFloodFault",
    "AnyFault",
    "AuditIdSquatFault",
    "AuditPoisonRecordFault",
    "BandwidthFault",
    "CallerErrorBurstFault",
    "CancelForeignQueriesFault",
    "CrossTenantQueryFault",
    "Crowd",
    "DatabaseServer",
    "DbKillFault",
    "DbRestartFault",
    "DbStopFault",
    "DownFault",
    "DropColumnFault",
    "ExhaustConnectionsFault",
    "ExpensiveQueryFloodFault",
    "HugeRowFault",
    "JunkMethodsFault",
    "Fault",
    "FaultError",
    "FaultInjectionError",
    "FaultRollbackError",
    "FaultTarget",
    "ForeignSqlTextFault",
    "ForgedApiKeyFault",
    "InjectionFault",
    "MissingApiKeyFault",
    "PlannedRequest",
    "QueryFloodFault",
    "RenameColumnFault",
    "TableLockFault",
    "TenantAttack",
    "ValidatorHeavySqlFault",
    "TinyDeadlineFault",
    "TerminateBackendsFault",
    "LatencyFault",
    "LimitDataFault",
    "ResetPeerFault",
    "SlicerFault",
    "SlowClientsFault",
    "SlowCloseFault",
    "SpoolDiskFullFault",
    "SqlAttack",
    "TimeoutFault",
    "ToxicFault",
    "Upstream",
    "applied",
    "parse_fault",
    "register_fault",
    "registered_fault",
    "unknown_upstream",
    "upstreams_named",
]
