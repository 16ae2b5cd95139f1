"""The resident memory of the system under test, found by the port it serves on.

Whatever started it (a command, the reference, a process already running as this user),
the system is the process listening on its URL's port, with every process of that
process group (uvicorn's workers, a supervisor's children). Its peak is read from the
kernel's own high-water mark (`VmHWM`), reset at the start of a measurement by writing
`5` to `/proc/PID/clear_refs`, so a short-lived allocation between two samples is never
missed. A system Gauntlet cannot see this way (in a container, on another host, another
user's process, not Linux) has no memory to judge: `MemoryProbe.find` says why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROC = Path("/proc")
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's `st` column


class MemoryUnobservable(LookupError):
    """The system's processes cannot be read here; the message says why (one line)."""


@dataclass(frozen=True)
class MemoryProbe:
    """The processes of one system, read for their resident memory (bytes)."""

    pids: tuple[int, ...]

    @classmethod
    def find(cls, url: str) -> MemoryProbe:
        """The probe of the system serving `url`; `MemoryUnobservable` when there is none."""
        parts = urlsplit(url)
        if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise MemoryUnobservable(f"{parts.hostname} is not this machine")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        inodes = _listening_inodes(port)
        owners = {pid for pid in _pids() if inodes & _socket_inodes(pid)}
        if not owners:
            raise MemoryUnobservable(
                f"no process of this user listens on port {port} (a container or "
                "another user's process)"
            )
        groups = {os.getpgid(pid) for pid in owners}
        members = tuple(sorted(pid for pid in _pids() if _pgid(pid) in groups))
        return cls(members)

    def rss(self) -> int:
        """Resident memory now, summed over the processes."""
        return sum(_status_kb(pid, "VmRSS") for pid in self.pids) * 1024

    def reset_peak(self) -> int:
        """Start a measurement: the peak is set to the memory held now, which is returned."""
        for pid in self.pids:
            try:
                (PROC / str(pid) / "clear_refs").write_text("5")
            except OSError as exc:
                raise MemoryUnobservable(f"cannot reset the peak of process {pid}: {exc}") from None
        return self.rss()

    def peak(self) -> int:
        """The most memory held since `reset_peak`, summed over the processes."""
        return sum(_status_kb(pid, "VmHWM") for pid in self.pids) * 1024


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def _pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def _socket_inodes(pid: int) -> set[str]:
    try:
        fds = list((PROC / str(pid) / "fd").iterdir())
    except OSError:  # gone, or another user's
        return set()
    inodes = set()
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _status_kb(pid: int, field: str) -> int:
    try:
        lines = (PROC / str(pid) / "status").read_text().splitlines()
    except OSError:  # the process has exited: it holds nothing
        return 0
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0
