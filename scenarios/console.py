"""The `gauntlet` console script, kept apart from the commands so it can start light.

Before any command is imported, SIGTERM is made to mean what Ctrl-C means: a supervisor's
SIGTERM during start-up then unwinds the command (and whatever it started) instead of
killing it half-started. A command that handles signals itself (`run`, `load`, `serve`)
installs its own handlers over this one while it works.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType


def main() -> None:
    signal.signal(signal.SIGTERM, _as_keyboard_interrupt)
    try:
        from scenarios.cli import main as run_command
    except KeyboardInterrupt:  # stopped while the commands were still being imported
        from scenarios import exit_codes

        sys.exit(exit_codes.on_interrupt(sys.argv[1:]))
    run_command()


def _as_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
