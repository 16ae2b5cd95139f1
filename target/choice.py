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

The flags that make the choice (`TARGET_FLAGS`) are written here once, for `run`, `load`
and the pytest plugin; `TargetChoice.from_flags` checks what they say. This module is read
at `gauntlet --help` time, so what starts a system is imported on use.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .flags import Flag

if TYPE_CHECKING:
    from chaos.remote_world import DeclaredUpstream

STOP_GRACE_S = 10.0

TARGET_COMMAND = Flag(
    "target-command",
    "system under test: a command that serves the contract on $PORT "
    "[default: the reference orchestrator, python -m orchestrator.service]",
    metavar="CMD",
)
TARGET_IMAGE = Flag(
    "target-image",
    "system under test: an image that serves the contract on $PORT, run on the host's "
    "network (needs Docker)",
    metavar="IMAGE",
)
TARGET_URL = Flag(
    "target-url",
    "system under test that is already running (declare its upstreams with --upstream, "
    "its API keys in GAUNTLET_API_KEYS); only network faults and tenant attacks apply",
    metavar="URL",
)
UPSTREAM = Flag(
    "upstream",
    "with --target-url: an upstream (ops, metrics) to put a proxy in front of (repeatable)",
    metavar="NAME=HOST:PORT[@LISTEN_PORT]",
    repeatable=True,
)
TARGET_FLAGS = (TARGET_COMMAND, TARGET_IMAGE, TARGET_URL, UPSTREAM)


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
    """At most one of a command, an image or a URL; none means the reference orchestrator.

    A system given by URL comes with its declared upstreams (each gets a proxy) and the API
    keys it accepts; `from_flags` reads both from the flags and the environment."""

    command: str | None = None
    image: str | None = None
    url: str | None = None
    upstreams: tuple[DeclaredUpstream, ...] = ()
    api_keys: Mapping[str, str] = field(default_factory=dict)  # API key -> tenant id

    def __post_init__(self) -> None:
        from .command import TargetCommandError, parse_command

        flags = ((TARGET_COMMAND, self.command), (TARGET_IMAGE, self.image), (TARGET_URL, self.url))
        given = [str(flag) for flag, value in flags if value]
        if len(given) > 1:
            raise TargetCommandError(f"{' and '.join(given)} exclude each other")
        if self.command is not None:
            parse_command(self.command)
        if self.image is not None and not self.image.strip():
            raise TargetCommandError(f"{TARGET_IMAGE}: empty")

    @classmethod
    def from_flags(
        cls,
        command: str | None = None,
        image: str | None = None,
        url: str | None = None,
        upstreams: Sequence[str] = (),
        *,
        environ: Mapping[str, str] = os.environ,
    ) -> TargetChoice:
        """The choice the flags make, checked before anything starts; a `ValueError` of one
        line names the flag. A URL needs its upstreams and `GAUNTLET_API_KEYS`."""
        choice = cls(command, image, url)
        if url is None:
            if upstreams:
                raise ValueError(f"{UPSTREAM} only applies with {TARGET_URL}")
            return choice
        if not upstreams:
            raise ValueError(f"{TARGET_URL} needs at least one {UPSTREAM} NAME=HOST:PORT")
        from chaos.remote_world import parse_upstream  # Toxiproxy's client: only for a URL

        declared = tuple(parse_upstream(text) for text in upstreams)
        return replace(choice, url=url.rstrip("/"), upstreams=declared, api_keys=_api_keys(environ))

    @property
    def is_reference(self) -> bool:
        return not (self.command or self.image or self.url)

    @property
    def tenant_keys(self) -> dict[str, str]:
        """Tenant id -> the API key it sends (of a system given by URL)."""
        return {tenant: key for key, tenant in self.api_keys.items()}

    def describe(self) -> str:
        if self.image:
            return f"the image {self.image}"
        return self.url or self.command or "the reference orchestrator"


def _api_keys(environ: Mapping[str, str]) -> dict[str, str]:
    from contract import API_KEYS

    try:
        api_keys = json.loads(environ.get(API_KEYS) or "")
    except json.JSONDecodeError:
        raise ValueError(
            f"{TARGET_URL}: set {API_KEYS} to the system's API keys "
            '(JSON, key -> tenant, e.g. {"key-1": "acme"})'
        ) from None
    if not isinstance(api_keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in api_keys.items()
    ):
        raise ValueError(f"{API_KEYS}: expected a JSON object of API key -> tenant id")
    return api_keys


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
    from .command import REFERENCE_COMMAND, running_target

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
    import asyncio

    from chaos.loopback_port import free_loopback_port

    from .container import target_container

    running = target_container(
        image, contract_env, port=port or free_loopback_port(), log_path=log_path
    )
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
    import asyncio

    from .uvicorn_service import start_service

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
