"""State files that let a later run stop a system under test left behind by a killed one.

A harness that is SIGKILLed cannot stop the command it started. Each running target
writes `<state_dir>/target-<pid>.json` naming its owner (the harness) and its process
group, each with its start time; `clear_stale_targets()` kills the groups whose owner
is gone. Start times guard against reused process ids: a live process whose start time
differs is someone else's and is left alone.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from pathlib import Path

DEFAULT_STATE_DIR = Path(tempfile.gettempdir()) / "gauntlet-state" / "targets"


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 2 (the command name) may hold spaces and parentheses: split after its last ')'.
    return int(stat.rpartition(")")[2].split()[19])


class TargetStateFile:
    """The record of one running target, removed when the harness stops it."""

    def __init__(self, state_dir: Path, pid: int) -> None:
        self.path = Path(state_dir) / f"target-{pid}.json"
        self.pid = pid

    def write(self, command: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        owner = os.getpid()
        record = {
            "owner_pid": owner,
            "owner_started": start_ticks(owner),
            "pgid": self.pid,  # the target leads its own process group
            "leader_started": start_ticks(self.pid),
            "command": command,
        }
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(record))
        partial.replace(self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def clear_stale_targets(state_dir: Path = DEFAULT_STATE_DIR) -> list[str]:
    """Kill the process groups of targets whose harness died; returns their commands."""
    cleared: list[str] = []
    for path in sorted(Path(state_dir).glob("target-*.json")):
        try:
            record = json.loads(path.read_text())
            owner, pgid = int(record["owner_pid"]), int(record["pgid"])
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            continue
        if _alive_as(owner, record.get("owner_started")):
            continue
        leader = start_ticks(pgid)
        # A group id cannot be reused while the group has members, but a lone leader's
        # pid can: kill only when the leader is gone or is still the one we started.
        if leader is None or leader == record.get("leader_started"):
            try:
                os.killpg(pgid, signal.SIGKILL)
                cleared.append(str(record.get("command", pgid)))
            except (ProcessLookupError, PermissionError):
                pass
        path.unlink(missing_ok=True)
    return cleared


def _alive_as(pid: int, started: object) -> bool:
    ticks = start_ticks(pid)
    return ticks is not None and (started is None or ticks == started)
