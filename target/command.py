"""The system under test as a command in its own process group, started from the contract.

    async with running_target(command, contract_env, log_path=out / "target.log") as target:
        target.url   # http://127.0.0.1:PORT, answering GET /healthz

Gauntlet measures a system it never shares a process or an event loop with: the
reference orchestrator runs this way too (`REFERENCE_COMMAND`). The command gets the
contract's environment plus a free `PORT`, and a soft descriptor limit of 4096
(`target/descriptor_limit.py`), and is ready when `GET /healthz` answers 200.
It is stopped on every way out of the block (end, error, cancellation by Ctrl-C or
SIGTERM): SIGTERM to its group, a grace period, then SIGKILL. A state file lets the
next run kill it if the harness itself was SIGKILLed (`target/state_files.py`).
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from chaos.loopback_port import free_loopback_port

from .child_process import ChildProcess
from .descriptor_limit import limited_argv
from .state_files import DEFAULT_STATE_DIR, TargetStateFile, clear_stale_targets

REFERENCE_COMMAND = f"{shlex.quote(sys.executable)} -m orchestrator.service"
HEALTH_PATH = "/healthz"
READY_TIMEOUT_S = 60.0
STOP_GRACE_S = 10.0


class TargetStartError(RuntimeError):
    """The command did not start or never answered `/healthz`; the message says which,
    followed by the command's last output."""


class TargetCommandError(ValueError):
    """The command line itself is unusable (empty, unbalanced quotes)."""


@dataclass(frozen=True)
class RunningTarget:
    command: str
    url: str
    process: ChildProcess


def parse_command(command: str) -> list[str]:
    """The argv of `command` (shell-style quoting, no shell)."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise TargetCommandError(f"target command {command!r}: {exc}") from None
    if not argv:
        raise TargetCommandError("target command: empty")
    return argv


@asynccontextmanager
async def running_target(
    command: str,
    contract_env: Mapping[str, str],
    *,
    log_path: Path,
    ready_timeout_s: float = READY_TIMEOUT_S,
    state_dir: Path = DEFAULT_STATE_DIR,
    host: str = "127.0.0.1",
    port: int = 0,
) -> AsyncIterator[RunningTarget]:
    """Start `command` with the contract's environment, wait until it is healthy, stop it
    on the way out whatever happens. `host` and `port` (0: any free one) are where it
    listens; a load master serving remote workers listens on all addresses."""
    argv = parse_command(command)
    clear_stale_targets(state_dir)
    port = port or free_loopback_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if shutil.which(argv[0]) is None:
            raise FileNotFoundError(f"no program {argv[0]!r}")
        child = await ChildProcess.start(
            "target",
            limited_argv(argv),
            log_path=log_path,
            env={**contract_env, "PORT": str(port), "GAUNTLET_HOST": host},
            cwd=Path.cwd(),
        )
    except OSError as exc:
        raise TargetStartError(f"target command {command!r} could not start: {exc}") from None
    state = TargetStateFile(state_dir, child.process.pid)
    state.write(command)
    try:
        url = f"http://127.0.0.1:{port}"
        await _wait_healthy(child, url, command, ready_timeout_s)
        yield RunningTarget(command, url, child)
    finally:
        # Shielded: a second Ctrl-C during the grace period must not leave it running.
        await asyncio.shield(child.stop(grace_s=STOP_GRACE_S))
        state.remove()


async def _wait_healthy(child: ChildProcess, url: str, command: str, timeout_s: float) -> None:
    try:
        async with asyncio.timeout(timeout_s):
            if not await child.serves(url + HEALTH_PATH):
                raise TargetStartError(
                    f"target command {command!r} exited with code {child.returncode} "
                    f"before {HEALTH_PATH} answered; its last output:\n{_tail(child)}"
                )
    except TimeoutError:
        raise TargetStartError(
            f"target command {command!r} did not answer GET {url}{HEALTH_PATH} with 200 "
            f"within {timeout_s:g} s (it must serve on $PORT); its last output:\n{_tail(child)}"
        ) from None


def _tail(child: ChildProcess) -> str:
    return child.log_tail() or "(no output)"
