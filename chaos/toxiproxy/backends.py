"""Choose where Toxiproxy runs: `open_toxiproxy("auto" | "local" | "docker" | URL)`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..loopback_port import free_loopback_port
from .binary import find_toxiproxy_server
from .client import ToxiproxyClient
from .errors import ToxiproxyUnavailable
from .local import LocalToxiproxyServer, cleanup_stale

DEFAULT_STATE_DIR = Path(".gauntlet")
DOCKER_READY_TIMEOUT_S = 30.0

BACKENDS = ("auto", "local", "docker")


@contextmanager
def open_toxiproxy(
    spec: str = "auto", *, state_dir: Path | str = DEFAULT_STATE_DIR, image: str | None = None
) -> Iterator[ToxiproxyClient]:
    """A Toxiproxy server for the duration of the block.

    `local` runs the `toxiproxy-server` binary; `docker` runs it in a container: both are
    reset at start and stopped afterwards. `http://host:port` uses a running server that
    others may share: it is never reset, and left running. `auto` prefers the local binary
    and falls back to Docker. `image` names the docker backend's image (default:
    `chaos.containers.toxiproxy_image`). Servers an earlier, killed run left behind in
    `state_dir` are stopped first.
    """
    state_dir = Path(state_dir)
    cleanup_stale(state_dir)
    if spec.startswith("http://") or spec.startswith("https://"):
        client = ToxiproxyClient(spec)
        client.version()
        yield client
        return
    check_toxiproxy_spec(spec)
    if spec == "auto":
        spec = "local" if _local_binary_exists() else "docker"
    if spec == "local":
        with LocalToxiproxyServer(state_dir) as client:
            yield client
    else:
        with _docker_toxiproxy(image) as client:
            yield client


def check_toxiproxy_spec(spec: str) -> None:
    """Refuse a backend that is neither a known name nor an http://host:port URL."""
    if spec in BACKENDS:
        return
    if spec.startswith(("http://", "https://")):
        ToxiproxyClient(spec)  # raises on a URL without host or port
        return
    raise ToxiproxyUnavailable(
        f"unknown Toxiproxy backend {spec!r}: expected auto, local, docker or http://host:port"
    )


def _local_binary_exists() -> bool:
    try:
        find_toxiproxy_server()
    except ToxiproxyUnavailable:
        return False
    return True


@contextmanager
def _docker_toxiproxy(image: str | None) -> Iterator[ToxiproxyClient]:
    """The server in a container on the host's network, so that its proxies listen on, and
    reach upstreams at, the host's 127.0.0.1 just as the local binary's do."""
    from chaos.containers import (
        DockerUnavailable,
        owner_labels,
        require_engine,
        start_container,
        toxiproxy_image,
    )

    try:
        client = require_engine()
    except DockerUnavailable as exc:
        raise ToxiproxyUnavailable(
            f"{exc}; choose --toxiproxy local (the toxiproxy-server binary; `make setup` "
            "installs it) or --toxiproxy http://host:port"
        ) from None
    from testcontainers.core.container import DockerContainer

    port = free_loopback_port()
    # Both the published image and ours have `/toxiproxy` as entrypoint: flags only.
    container = (
        DockerContainer(toxiproxy_image(client, image))
        .with_command(["-host=127.0.0.1", f"-port={port}"])
        .with_kwargs(network_mode="host", labels=owner_labels())
    )
    try:
        start_container(container)
    except DockerUnavailable as exc:
        raise ToxiproxyUnavailable(f"{exc}; check --toxiproxy-image") from None
    try:
        toxiproxy = ToxiproxyClient(f"http://127.0.0.1:{port}")
        _wait_until_answering(toxiproxy, container.get_wrapped_container())
        toxiproxy.reset()
        yield toxiproxy
    finally:
        container.stop()


def _wait_until_answering(client: ToxiproxyClient, wrapped: Any) -> None:
    deadline = time.monotonic() + DOCKER_READY_TIMEOUT_S
    while True:
        try:
            client.version()
            return
        except ToxiproxyUnavailable:
            wrapped.reload()
            if wrapped.status not in ("created", "running") or time.monotonic() > deadline:
                last = wrapped.logs(tail=1).decode(errors="replace").strip()
                raise ToxiproxyUnavailable(
                    f"the Toxiproxy container did not answer on {client.api_url} "
                    f"({wrapped.status}; last output: {last or 'nothing'})"
                ) from None
            time.sleep(0.05)
