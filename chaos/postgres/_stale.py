"""State files that let a later run clean up an embedded server left behind.

A run that is SIGKILLed cannot stop its Postgres. Each `EmbeddedPostgres` writes
`<state_dir>/embedded-<port>.json` naming its owner process, postmaster and folder;
`cleanup_stale()` kills and removes those whose owner is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

from ..liveness import process_exists

DEFAULT_STATE_DIR = Path(tempfile.gettempdir()) / "gauntlet-pg-state"


class StateFile:
    def __init__(self, state_dir: Path, port: int) -> None:
        self.path = Path(state_dir) / f"embedded-{port}.json"

    def write(self, *, base_dir: Path, postmaster_pid: int | None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "owner_pid": os.getpid(),
            "postmaster_pid": postmaster_pid,
            "base_dir": str(base_dir),
        }
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(record))
        partial.replace(self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def cleanup_stale(state_dir: Path = DEFAULT_STATE_DIR) -> list[Path]:
    """Kill servers whose owning process died and delete their folders; return the folders."""
    removed: list[Path] = []
    for state_path in sorted(Path(state_dir).glob("embedded-*.json")):
        try:
            record = json.loads(state_path.read_text())
        except (OSError, ValueError):
            state_path.unlink(missing_ok=True)
            continue
        if process_exists(int(record.get("owner_pid", 0))):
            continue
        postmaster = record.get("postmaster_pid")
        if postmaster and process_exists(int(postmaster)):
            try:
                os.killpg(int(postmaster), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        base_dir = Path(record["base_dir"])
        shutil.rmtree(base_dir, ignore_errors=True)
        state_path.unlink(missing_ok=True)
        removed.append(base_dir)
    return removed
