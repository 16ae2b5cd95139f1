"""A durable local spool for audit records the database could not take.

Records are framed lines (see `_audit_record`) in `<spool_dir>/audit-spool.jsonl`,
appended under an exclusive file lock, flushed and fsynced before the call is
acknowledged. A write the kernel took only part of (a full disk, a file-size limit) is
cut back off and reported as an `OSError`: never acknowledged. A line left torn by a
crash is terminated before the next append, so it cannot swallow its successor.

To replay, the spool is renamed to `audit-replay-<ns>.jsonl` (atomic) so new records go
to a fresh file; a replay file is deleted only after all of its records are committed
or dead-lettered. Dying mid-replay leaves the file in place, and the next replay inserts
it again: `ON CONFLICT (tenant_id, request_id) DO NOTHING` makes that harmless.

Lines that are torn, corrupted or not a record, and records Postgres refuses, go to
`<spool_dir>/audit-dead-letter.jsonl` (same framing) with the reason, for a human.

The records waiting (the live spool and the replay files) are bounded by
`max_pending_bytes` (`MAX_PENDING_BYTES` unless the deployment sets
`GAUNTLET_AUDIT_SPOOL_MAX_BYTES`): during a long outage a record past the bound is refused
(`SpoolFull`, an `OSError`), so the call is not acknowledged, rather than the spool
filling the disk. Checked before each append; workers appending at the same moment may
pass the bound by a record each.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._audit_record import decode_frame, encode_frame

SPOOL_NAME = "audit-spool.jsonl"
REPLAY_GLOB = "audit-replay-*.jsonl"
DEAD_LETTER_NAME = "audit-dead-letter.jsonl"
# About 10,000 records of the largest request the default body limit lets in (detail
# whole, 64 KiB), far more of ordinary ones.
MAX_PENDING_BYTES = 640 * 1024 * 1024


class SpoolFull(OSError):
    """The records waiting for the database already fill the spool's bound."""


class AuditSpool:
    def __init__(self, spool_dir: Path, *, max_pending_bytes: int | None = None) -> None:
        self.directory = Path(spool_dir)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / SPOOL_NAME
        self.dead_letter_path = self.directory / DEAD_LETTER_NAME
        self.max_pending_bytes = (
            MAX_PENDING_BYTES if max_pending_bytes is None else max_pending_bytes
        )

    def append(self, record: dict[str, Any]) -> None:
        """Durably add one record; returns only once all of it is on disk. Raises
        `SpoolFull` when it would take the records waiting past `max_pending_bytes`."""
        frame = encode_frame(record)
        pending = self.pending_bytes()
        if pending + len(frame) > self.max_pending_bytes:
            raise SpoolFull(
                errno.ENOSPC,
                f"audit spool full: {pending} bytes wait for the database "
                f"(bound {self.max_pending_bytes})",
            )
        _append_durably(self.path, frame)

    def pending_bytes(self) -> int:
        """The size of the records waiting: the live spool and the replay files."""
        total = 0
        for path in [*self.replay_files(), self.path]:
            try:
                total += path.stat().st_size
            except FileNotFoundError:
                continue
        return total

    def dead_letter(self, reason: str, *, record: Any = None, raw: bytes | None = None) -> None:
        """Keep what can never be written, with why, out of the queue's way."""
        entry: dict[str, Any] = {"reason": reason, "at": time.time()}
        if raw is not None:
            entry["raw"] = raw.decode("utf-8", "backslashreplace")
        else:
            entry["record"] = record
        _append_durably(self.dead_letter_path, encode_frame(entry))

    def rotate(self) -> None:
        """Move the live spool aside for replay (no-op when empty)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, self.path) and _is_regular(fd) and os.fstat(fd).st_size > 0:
                os.rename(self.path, self.directory / f"audit-replay-{time.time_ns()}.jsonl")
                _fsync_directory(self.directory)
        finally:
            os.close(fd)

    def replay_files(self) -> list[Path]:
        return sorted(self.directory.glob(REPLAY_GLOB))

    def has_pending(self) -> bool:
        return bool(self.replay_files()) or (self.path.is_file() and self.path.stat().st_size > 0)

    def pending_records(self) -> list[Any]:
        """Every record not yet confirmed in the database (replay files, then the spool)."""
        records = []
        for path in [*self.replay_files(), self.path]:
            records.extend(read_frames(path)[0])
        return records

    @contextmanager
    def claimed(self, replay_file: Path) -> Iterator[bool]:
        """Whether this process may replay `replay_file` (another worker may hold it)."""
        try:
            fd = os.open(replay_file, os.O_RDONLY)
        except FileNotFoundError:
            yield False
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield replay_file.exists()
        finally:
            os.close(fd)

    def discard(self, replay_file: Path) -> None:
        replay_file.unlink(missing_ok=True)
        _fsync_directory(self.directory)


def read_frames(path: Path) -> tuple[list[Any], list[bytes]]:
    """The decoded values of a spool file's whole lines, and the lines that are not."""
    if not path.is_file():  # also never reads a device a fault put in its place
        return [], []
    values, bad = [], []
    for line in path.read_bytes().split(b"\n"):
        if not line.strip():
            continue
        try:
            values.append(decode_frame(line))
        except ValueError:
            bad.append(line)
    return values, bad


def _append_durably(path: Path, frame: bytes) -> None:
    while True:
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A replay may have renamed the file between our open and our lock.
            if _same_file(fd, path):
                _write_whole(fd, frame)
                break
        finally:
            os.close(fd)
    if created:
        _fsync_directory(path.parent)


def _write_whole(fd: int, frame: bytes) -> None:
    size = os.fstat(fd).st_size
    if size and _is_regular(fd) and os.pread(fd, 1, size - 1) != b"\n":
        frame = b"\n" + frame  # a crash tore the last line: end it so it stays alone
    written = os.write(fd, frame)
    if written != len(frame):
        # Part of the record is on disk: cut it off, and do not acknowledge it.
        os.ftruncate(fd, size)
        raise OSError(errno.ENOSPC, f"short write: {written} of {len(frame)} bytes")
    os.fsync(fd)


def _is_regular(fd: int) -> bool:
    return stat.S_ISREG(os.fstat(fd).st_mode)


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
