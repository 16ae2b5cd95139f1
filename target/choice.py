"""Which system is under test, and the one way `run`, `load` and the pytest plugin start it.

    choice = TargetChoice(command=None, image=None, url=None)   # the reference orchestrator
    async with started_target(choice, contract_env, log_path=out / "target.log") as url:
        ...   # url: http://127.0.0.1:PORT, answering GET /healthz

A command runs in its own process group (`target.command`), an image in a container on
the host's network (`target.container`), and a URL names a system already running, which
Gauntlet neither starts nor stops. With none of the three it is the reference
orchestrator, started by command line like any other command; only when several uvicorn
workers or a sampling profile are asked for does it run under uvicorn directly
(`target.uvicorn_service`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from .command import REFERENCE_COMMAND, TargetCommandError, parse_command, running_target
from .uvicorn_service import free_port, start_service

STOP_GRACE_S = 10.0


@dataclass(frozen=True)
class ReferenceTuning:
    """How the reference orchestrator itself runs: uvicorn workers, a sampling profile."""

    workers: int = 1
    profile_html: Path | None = None

    @property
    def plain(self) -> bool:
        return self.workers == 1 and self.profile_html is None


@dataclass(frozen=True)
class TargetChoice:
    """At most one of a command, an image or a URL; none means the reference orchestrator."""

    command: str | None = None
    image: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        given = [f"--target-{kind}" for kind in ("command", "image", "url") if getattr(self, kind)]
        if len(given) > 1:
            raise TargetCommandError(f"{' and '.join(given)} exclude each other")
        if self.command is not None:
            parse_command(self.command)
        if self.image is not None and not self.image.strip():
            raise TargetCommandError("--target-image: empty")

    @property
    def is_reference(self) -> bool:
        return not (self.command or self.image or self.url)

    def describe(self) -> str:
        if self.image:
            return f"the image {self.image}"
        return self.url or self.command or "the reference orchestrator"


@asynccontextmanager
async def started_target(
    choice: TargetChoice,
    contract_env: Mapping[str, str],
    *,
    log_path: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    reference: ReferenceTuning = ReferenceTuning(),
) -> AsyncIterator[str]:
    """The base URL of the system under test for the block; a system started here is
    stopped on every way out. `host` and `port` (0: any free one) are where a started
    system listens."""
    if choice.url:
        yield choice.url.rstrip("/")
    elif choice.image:
        async with _container(choice.image, contract_env, log_path, port) as url:
            yield url
    elif choice.is_reference and not reference.plain:
        async with _tuned_reference(contract_env, log_path, host, port, reference) as url:
            yield url
    else:
        command = choice.command or REFERENCE_COMMAND
        async with running_target(
            command, contract_env, log_path=log_path, host=host, port=port
        ) as target:
            yield target.url


@asynccontextmanager
async def _container(
    image: str, contract_env: Mapping[str, str], log_path: Path, port: int
) -> AsyncIterator[str]:
    # Imported here: testcontainers and the engine probe only when an image is asked for.
    from .container import target_container

    running = target_container(image, contract_env, port=port or free_port(), log_path=log_path)
    url = await asyncio.to_thread(running.__enter__)
    try:
        yield url
    finally:
        # Shielded: a second Ctrl-C while the container stops must not leave it running.
        await asyncio.shield(asyncio.to_thread(running.__exit__, None, None, None))


@asynccontextmanager
async def _tuned_reference(
    contract_env: Mapping[str, str],
    log_path: Path,
    host: str,
    port: int,
    reference: ReferenceTuning,
) -> AsyncIterator[str]:
    process, url = await start_service(
        contract_env,
        log_path=log_path,
        workers=reference.workers,
        profile_html=reference.profile_html,
        host=host,
        port=port,
    )
    try:
        yield url
    finally:
        await asyncio.shield(process.stop(STOP_GRACE_S))
