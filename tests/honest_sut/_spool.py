"""The audit spool's files, by the names the contract gives them (blocking file work only).

    audit-spool.jsonl          the live spool: `<crc32 hex8> <ASCII JSON, keys sorted>\\n`,
                               appended under a BSD flock, written whole and fsynced
    audit-replay-<ns>.jsonl    a batch moved aside for replay (by this service or by an
                               outside party holding the spool's flock)
    audit-dead-letter.jsonl    lines that cannot be replayed, with the reason, same framing

An outside party may swap `audit-spool.jsonl` while holding its flock, so an append checks,
once it holds the lock, that the file it opened is still the one behind the name.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import time
import zlib
from pathlib import Path

SPOOL = "audit-spool.jsonl"
DEAD_LETTER = "audit-dead-letter.jsonl"
REPLAY_GLOB = "audit-replay-*.jsonl"


def frame(record: dict) -> bytes:
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return f"{zlib.crc32(text.encode('ascii')):08x} {text}\n".encode("ascii")


def unframe(line: bytes) -> dict | None:
    """The record of one framed line, or None when the line is torn or not a record."""
    try:
        crc, text = line.rstrip(b"\n").split(b" ", 1)
        if int(crc, 16) != zlib.crc32(text):
            return None
        record = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None


def _open_locked(path: Path) -> int:
    """An fd on the file now behind `path`, held under LOCK_EX."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            held = os.fstat(fd)
            named = os.stat(path)
        except FileNotFoundError:
            os.close(fd)  # renamed while we waited for the lock: open the new one
            continue
        except OSError:
            os.close(fd)
            raise
        if (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino):
            return fd
        os.close(fd)  # swapped while we waited for the lock: open the new one


def append(folder: Path, name: str, record: dict) -> None:
    """Append one record durably, or raise OSError leaving no partial line behind."""
    folder.mkdir(parents=True, exist_ok=True)
    data = frame(record)
    fd = _open_locked(folder / name)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data  # end a torn last line before ours
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"short write: {written} of {len(data)} bytes")
            os.fsync(fd)
        except OSError:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)  # closing releases the flock


def move_spool_aside(folder: Path) -> None:
    """Rename a non-empty regular spool to a replay file, under the spool's lock."""
    path = folder / SPOOL
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode) or path.stat().st_size == 0:
            return
        fd = _open_locked(path)
    except OSError:
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode) and os.fstat(fd).st_size:
            os.rename(path, folder / f"audit-replay-{time.time_ns()}.jsonl")
    finally:
        os.close(fd)


def claim(path: Path) -> int | None:
    """A read fd on a replay file held under a non-blocking LOCK_EX, or None if busy."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def read_lines(fd: int) -> list[bytes]:
    with os.fdopen(os.dup(fd), "rb") as handle:
        handle.seek(0)
        return handle.read().splitlines(keepends=True)
