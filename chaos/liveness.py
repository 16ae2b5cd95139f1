"""Whether a process still runs: how a run tells its own leftovers from another run's."""

from __future__ import annotations

import os


def process_exists(pid: int) -> bool:
    """True while `pid` exists, also when it belongs to another user (we may not signal it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
