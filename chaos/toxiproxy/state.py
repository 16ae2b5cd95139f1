"""The record of Toxiproxy servers this harness started, so a later run can clean up.

A run killed with SIGKILL cannot stop its server. Each local server is written to
`<state_dir>/toxiproxy-servers.json` with its pid and port and the pid and start time of
the harness process that owns it; an entry is stale once that owner is gone.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

STATE_FILE = "toxiproxy-servers.json"


@dataclass(frozen=True)
class ServerRecord:
    pid: int
    port: int
    binary: str
    owner_pid: int
    owner_started: str  # field 22 of /proc/<pid>/stat; guards against pid reuse


def process_start_marker(pid: int) -> str:
    """A token that differs between two processes that had the same pid ("" if gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may contain spaces; fields after it are plain.
    return stat.rsplit(")", 1)[1].split()[19]


def process_command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def owner_is_alive(record: ServerRecord) -> bool:
    return process_start_marker(record.owner_pid) == record.owner_started


@contextmanager
def locked_records(state_dir: Path) -> Iterator[list[ServerRecord]]:
    """The records, under an exclusive lock; changes to the list are written back."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / STATE_FILE
    with open(state_dir / f"{STATE_FILE}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        records = _read(path)
        yield records
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps([asdict(r) for r in records], indent=2))
        os.replace(temporary, path)


def _read(path: Path) -> list[ServerRecord]:
    try:
        raw = json.loads(path.read_text())
        return [ServerRecord(**entry) for entry in raw]
    except FileNotFoundError:
        return []
    except (ValueError, TypeError):
        # A file torn by a crash must not block every later run; it is rewritten.
        return []
