"""Find the real `toxiproxy-server` binary."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from .errors import ToxiproxyUnavailable

BINARY_NAME = "toxiproxy-server"


def candidate_paths() -> list[Path]:
    """Where we look, in order: PATH, the virtualenv's bin, $GOBIN, ~/go/bin."""
    candidates: list[Path] = []
    on_path = shutil.which(BINARY_NAME)
    if on_path:
        candidates.append(Path(on_path))
    candidates.append(Path(sys.executable).parent / BINARY_NAME)
    gobin = os.environ.get("GOBIN")
    if gobin:
        candidates.append(Path(gobin) / BINARY_NAME)
    candidates.append(Path.home() / "go" / "bin" / BINARY_NAME)
    return candidates


def find_toxiproxy_server() -> Path:
    """The first executable `toxiproxy-server`; `ToxiproxyUnavailable` if there is none."""
    for path in candidate_paths():
        if path.is_file() and os.access(path, os.X_OK):
            return path
    searched = ", ".join(str(p) for p in candidate_paths())
    raise ToxiproxyUnavailable(
        f"toxiproxy-server not found (looked in {searched}); "
        "`make setup` installs it into .venv/bin"
    )
