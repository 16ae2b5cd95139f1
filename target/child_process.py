"""Child processes of a load run (the service, Locust), stopped within a bounded time.

Each child runs in its own session (process group), so stopping it also reaches what it
forked (uvicorn's workers, Locust's `--processes` workers): SIGTERM (or SIGINT) to the
group, a grace period, then SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Sequence
from pathlib import Path

import httpx

# Children run from the project root so `python -m load...` / `uvicorn orchestrator...` import
# this checkout whatever the caller's working directory.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class ChildProcess:
    def __init__(self, name: str, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.name = name
        self.process = process
        self.log_path = log_path

    @classmethod
    async def start(
        cls,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> ChildProcess:
        log = log_path.open("ab")
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                cwd=cwd or PROJECT_ROOT,
                start_new_session=True,
            )
        finally:
            log.close()  # the child holds its own descriptor
        return cls(name, process, log_path)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    async def serves(self, health_url: str) -> bool:
        """Poll `health_url` until it answers 200 (True) or the process exits (False).
        The caller bounds the wait: a child that never answers is its timeout to name."""
        async with httpx.AsyncClient(timeout=2.0) as client:
            while self.returncode is None:
                try:
                    if (await client.get(health_url)).status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        return False

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    async def stop(self, grace_s: float = 10.0, first_signal: int = signal.SIGTERM) -> int:
        """Signal the group, wait up to `grace_s`, then SIGKILL it. Returns the exit code."""
        if self.process.returncode is None:
            self._signal_group(first_signal)
            try:
                async with asyncio.timeout(grace_s):
                    await self.process.wait()
            except TimeoutError:
                self._signal_group(signal.SIGKILL)
                await self.process.wait()
        # Forked grandchildren may outlive the leader; they die with it.
        self._signal_group(signal.SIGKILL)
        return self.process.returncode if self.process.returncode is not None else -1

    def signal(self, signum: int) -> None:
        """Signal the group without waiting; nothing once the child has exited."""
        if self.process.returncode is None:
            self._signal_group(signum)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass
