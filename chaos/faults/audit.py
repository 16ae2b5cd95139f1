"""Faults of the audit trail: the spool's disk is full, and a record Postgres refuses.

`spool_disk_full` fills the filesystem of the system's spool folder (`GAUNTLET_SPOOL_DIR`):
a filler file takes every free block, so the kernel itself answers ENOSPC to whatever the
system writes there next, whatever its files are called. Nothing is simulated in the
service, and nothing it spooled before is touched. That folder is a size-limited tmpfs
Gauntlet mounts before it starts a command target (`chaos.spool_filesystem`); where it
could not mount one, the fault says so and does not apply (`unavailable_on`). Rollback
deletes the filler.

`audit_poison_record` is an attack: it turns workload requests into ones whose
server-derived audit detail holds text Postgres refuses (a lone surrogate in an SQL comment,
a NUL in a parameter). Expected: each request is still audited (the text made safe), and
nothing blocks the spool.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from chaos.spool_filesystem import FILLER_NAME, fill, fill_problem

from .base import Fault, register_fault
from .planned_request import Crowd, PlannedRequest
from .target import FaultTarget
from .tenant import AD_HOC_QUERY, TenantAttack

POISON_SQL = ("SELECT 1 -- \ud800", "SELECT %(x)s::text")
POISON_PARAMS = ({}, {"x": "nul\u0000inside"})


@register_fault
class SpoolDiskFullFault(Fault):
    """The spool's filesystem is full. Expected: an audit call that cannot reach the
    database fails (never "spooled"); nothing spooled before is lost."""

    kind: Literal["spool_disk_full"] = "spool_disk_full"

    def unavailable_on(self, target: FaultTarget) -> str | None:
        return fill_problem(getattr(target, "audit_spool_dir", None))

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        directory = getattr(target, "audit_spool_dir", None)
        problem = fill_problem(directory)
        if problem is not None:
            raise ValueError(problem)
        assert directory is not None  # fill_problem said so
        undo.callback((Path(directory) / FILLER_NAME).unlink, missing_ok=True)
        fill(Path(directory))


@register_fault
class AuditPoisonRecordFault(TenantAttack):
    """Rewrite up to `requests` workload requests (each with probability `share`) into ad hoc
    queries whose audit detail Postgres would refuse as is: a lone surrogate in an SQL
    comment, then a NUL in a query parameter, in turn.

    They go out with the scenario's own traffic, so their answers are judged and their
    audit records counted like any other (`attacks_audited` proves they reached the audit
    path: a request refused up front tests nothing)."""

    kind: Literal["audit_poison_record"] = "audit_poison_record"
    sends_intent: ClassVar[str | None] = AD_HOC_QUERY
    requests: int = Field(default=2, ge=1, le=100, description="poison requests at most")

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        sent = crowd.memory.get(self.kind, 0)
        if sent >= self.requests:
            return request
        crowd.memory[self.kind] = sent + 1
        poison = {"sql": POISON_SQL[sent % 2], "params": POISON_PARAMS[sent % 2]}
        return PlannedRequest(
            request.tenant,
            AD_HOC_QUERY,
            poison,
            request.api_key,
            self.kind,
            body_extra={"request_id": f"poison-{time.time_ns()}-{sent}"},
        )
