"""The record of a running `gauntlet serve --chaos`, so `gauntlet fault` can find it.

`serve --chaos` writes `<state dir>/serve/<pid>.json`: where its Toxiproxy answers, which
proxy carries each upstream, and the faults added by hand since (with when they were
added). A record whose owner process is gone is stale and deleted when next read.
Every change happens under one lock, so concurrent `fault` commands do not lose faults.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chaos.toxiproxy.state import process_start_marker

# The same fixed place as the chaos world's other state, so every process finds it.
STACKS_DIR = Path(tempfile.gettempdir()) / "gauntlet-state" / "serve"


@dataclass
class HandFault:
    """A fault added with `gauntlet fault add`: what it is and what it changed."""

    id: str
    kind: str
    fields: dict[str, Any]
    added_at: float
    proxy: str
    toxics: list[str] = field(default_factory=list)  # toxics it added to `proxy`
    disabled: bool = False  # it disabled `proxy`


@dataclass
class StackRecord:
    pid: int
    started: str  # the owner's start marker: a recycled pid is not mistaken for it
    service_url: str
    toxiproxy_url: str
    proxies: dict[str, str]  # upstream -> proxy name
    faults: list[HandFault] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return process_start_marker(self.pid) == self.started


def register_stack(
    service_url: str, toxiproxy_url: str, proxies: dict[str, str], *, folder: Path = STACKS_DIR
) -> StackRecord:
    """Record this process's stack (call from the serving process)."""
    pid = os.getpid()
    record = StackRecord(pid, process_start_marker(pid), service_url, toxiproxy_url, proxies)
    with _locked(folder):
        _write(folder, record)
    return record


def forget_stack(pid: int, *, folder: Path = STACKS_DIR) -> list[HandFault]:
    """Delete the record of stack `pid`; returns the hand faults it still listed."""
    with _locked(folder):
        path = folder / f"{pid}.json"
        record = _read(path)
        path.unlink(missing_ok=True)
    return record.faults if record else []


def running_stacks(*, folder: Path = STACKS_DIR) -> list[StackRecord]:
    """Stacks whose serving process still runs; stale records are deleted."""
    alive: list[StackRecord] = []
    with _locked(folder):
        for path in sorted(folder.glob("*.json")):
            record = _read(path)
            if record is not None and record.alive:
                alive.append(record)
            else:
                path.unlink(missing_ok=True)
    return alive


@contextmanager
def editing(pid: int, *, folder: Path = STACKS_DIR) -> Iterator[StackRecord]:
    """Stack `pid`'s record under the lock; changes to it are written back."""
    with _locked(folder):
        record = _read(folder / f"{pid}.json")
        if record is None:
            raise LookupError(f"no running `gauntlet serve --chaos` with pid {pid}")
        yield record
        _write(folder, record)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _write(folder: Path, record: StackRecord) -> None:
    path = folder / f"{record.pid}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(record), indent=2), encoding="utf-8")
    os.replace(temporary, path)


def _read(path: Path) -> StackRecord | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        faults = [HandFault(**entry) for entry in raw.pop("faults", [])]
        return StackRecord(**raw, faults=faults)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        return None  # torn by a crash: treated as stale
