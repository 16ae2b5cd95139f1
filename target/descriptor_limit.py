"""Start a command with a soft descriptor limit of its own: the limit the suite deploys.

    python target/descriptor_limit.py LIMIT -- COMMAND [ARG...]

sets the soft `RLIMIT_NOFILE` to LIMIT (never above the hard limit, never raised past the
harness's own) and replaces itself with COMMAND, so the command starts with it from its
first instruction (no race with a limit set from outside after it started) and keeps its
process id. Run by its path, not as a module: it imports nothing but the standard library.

Every system under a suite starts this way with the same limit, whatever the harness got
from its shell (1024 on one machine, 20,000 on another): a scenario that holds thousands
of connections judges the same deployment everywhere. A system may raise its soft limit
up to the hard one itself (Go's runtime does at start-up).
"""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Sequence
from pathlib import Path

SERVICE_DESCRIPTOR_LIMIT = 4096
_SCRIPT = Path(__file__).resolve()


def limited_argv(argv: Sequence[str], limit: int = SERVICE_DESCRIPTOR_LIMIT) -> list[str]:
    """`argv` run through this script, so it starts with a soft limit of `limit`."""
    return [sys.executable, str(_SCRIPT), str(limit), "--", *argv]


def _lower_soft_limit(limit: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(limit, hard), hard))


def main(args: Sequence[str]) -> int:
    if len(args) < 3 or args[1] != "--" or not args[0].isdigit():
        print("usage: descriptor_limit.py LIMIT -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    _lower_soft_limit(int(args[0]))
    try:
        os.execvp(args[2], list(args[2:]))
    except OSError as exc:
        print(f"descriptor_limit.py: cannot run {args[2]!r}: {exc.strerror}", file=sys.stderr)
        return 127
    return 0  # not reached: execvp replaced this process


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
