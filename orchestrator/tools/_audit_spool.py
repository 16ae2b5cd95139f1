"""A durable local spool for audit records the database could not take.

One JSON line per record in `<spool_dir>/audit-spool.jsonl`, appended under an exclusive
file lock, flushed and fsynced before the call is acknowledged. To replay, the spool is
renamed to `audit-replay-<ns>.jsonl` (atomic) so new records go to a fresh file; a replay
file is deleted only after all of its records are committed. Dying mid-replay leaves the
file in place, and the next replay inserts it again: `ON CONFLICT (request_id) DO
NOTHING` makes that harmless, so a record is never lost and never doubled.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

SPOOL_NAME = "audit-spool.jsonl"
REPLAY_GLOB = "audit-replay-*.jsonl"


class AuditSpool:
    def __init__(self, spool_dir: Path) -> None:
        self.directory = Path(spool_dir)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / SPOOL_NAME

    def append(self, record: dict[str, Any]) -> None:
        """Durably add one record; returns only once it is on disk."""
        line = (json.dumps(record, separators=(",", ":"), sort_keys=True) + "\n").encode()
        while True:
            created = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                # A replay may have renamed the file between our open and our lock.
                if _same_file(fd, self.path):
                    os.write(fd, line)
                    os.fsync(fd)
                    break
            finally:
                os.close(fd)
        if created:
            _fsync_directory(self.directory)

    def rotate(self) -> None:
        """Move the live spool aside for replay (no-op when empty)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, self.path) and os.fstat(fd).st_size > 0:
                os.rename(self.path, self.directory / f"audit-replay-{time.time_ns()}.jsonl")
                _fsync_directory(self.directory)
        finally:
            os.close(fd)

    def replay_files(self) -> list[Path]:
        return sorted(self.directory.glob(REPLAY_GLOB))

    def has_pending(self) -> bool:
        return bool(self.replay_files()) or (self.path.exists() and self.path.stat().st_size > 0)

    def pending_records(self) -> list[dict[str, Any]]:
        """Every record not yet confirmed in the database (replay files, then the spool)."""
        records = []
        for path in [*self.replay_files(), self.path]:
            records.extend(read_records(path))
        return records

    def discard(self, replay_file: Path) -> None:
        replay_file.unlink(missing_ok=True)
        _fsync_directory(self.directory)


def read_records(path: Path) -> list[dict[str, Any]]:
    """Records of one file; a torn last line (crash mid-append, never acknowledged) is skipped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    records = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (opened.st_dev, opened.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
