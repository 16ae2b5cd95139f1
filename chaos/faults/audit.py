"""Faults of the audit trail: the spool's disk is full, and a record Postgres refuses.

`spool_disk_full` makes the kernel itself answer ENOSPC: the live spool file is replaced,
atomically, by a symlink to `/dev/full`, the device whose every write fails with "No space
left on device". No root, no mount and nothing simulated in the service: its own `write()`
fails. What was spooled before is kept as a replay file (a hard link, taken under the
spool's lock, so no append is lost in the swap). Rollback removes the symlink; the next
append creates a regular file again.

`audit_poison_record` sends requests whose server-derived audit detail holds text
Postgres refuses (a lone surrogate in an SQL comment, a NUL in a parameter). Expected:
each request is still audited (the text made safe), and nothing blocks the spool.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Literal

import httpx
from pydantic import Field

import contract

from .base import Fault, register_fault
from .target import FaultTarget

# The service's spool layout (see orchestrator.tools._audit_spool); chaos does not import it.
SPOOL_NAME = "audit-spool.jsonl"
FULL_DEVICE = "/dev/full"
POISON_SQL = ("SELECT 1 -- \ud800", "SELECT %(x)s::text")
POISON_PARAMS = ({}, {"x": "nul\u0000inside"})


@register_fault
class SpoolDiskFullFault(Fault):
    """Every write to the audit spool fails with ENOSPC. Expected: an audit call that
    cannot reach the database fails (never "spooled"); nothing spooled before is lost."""

    kind: Literal["spool_disk_full"] = "spool_disk_full"

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        live = _spool_dir(target) / SPOOL_NAME
        undo.callback(_remove_full_device, live)
        _replace_with_full_device(live)


@register_fault
class AuditPoisonRecordFault(Fault):
    """Send `requests` ad hoc queries whose audit detail Postgres would refuse as is."""

    kind: Literal["audit_poison_record"] = "audit_poison_record"
    requests: int = Field(default=2, ge=1, le=100)

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        if not target.service_url or not target.tenant_keys:
            raise ValueError("needs the orchestrator service running (service_url, tenant_keys)")
        tenant, key = sorted(target.tenant_keys.items())[0]
        for n in range(self.requests):
            body = contract.request_body(
                tenant,
                "ad_hoc_query",
                {"sql": POISON_SQL[n % 2], "params": POISON_PARAMS[n % 2]},
                request_id=f"poison-{time.time_ns()}-{n}",
            )
            answer = httpx.post(
                f"{target.service_url}{contract.ORCHESTRATE_PATH}",
                # ASCII JSON: its escapes carry the lone surrogate and the NUL intact.
                content=json.dumps(body, ensure_ascii=True),
                headers={contract.API_KEY_HEADER: key, "content-type": "application/json"},
                timeout=30,
            )
            if answer.status_code >= 500:
                raise RuntimeError(f"the service answered {answer.status_code} to a poison record")


def _spool_dir(target: FaultTarget) -> Path:
    directory = getattr(target, "audit_spool_dir", None)
    if directory is None:
        raise ValueError("the world does not know where the service spools (audit_spool_dir)")
    return Path(directory)


def _replace_with_full_device(live: Path) -> None:
    live.parent.mkdir(parents=True, exist_ok=True)
    swap = live.with_name(f".{live.name}.full-{os.getpid()}")
    swap.unlink(missing_ok=True)
    os.symlink(FULL_DEVICE, swap)
    while True:
        fd = os.open(live, os.O_RDONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # no append runs while we swap
            if not _same_file(fd, live):
                continue  # a replay renamed it meanwhile: lock the new one
            if os.fstat(fd).st_size > 0:
                os.link(live, live.with_name(f"audit-replay-{time.time_ns()}.jsonl"))
            os.rename(swap, live)  # atomic: the name is never missing
            return
        finally:
            os.close(fd)


def _remove_full_device(live: Path) -> None:
    if live.is_symlink() and os.readlink(live) == FULL_DEVICE:
        live.unlink()


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (opened.st_dev, opened.st_ino) == (on_disk.st_dev, on_disk.st_ino)
