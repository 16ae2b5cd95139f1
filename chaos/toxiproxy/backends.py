"""Choose where Toxiproxy runs: `open_toxiproxy("auto" | "local" | "docker" | URL)`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .binary import find_toxiproxy_server
from .client import ToxiproxyClient
from .errors import ToxiproxyUnavailable
from .local import LocalToxiproxyServer, cleanup_stale

DEFAULT_STATE_DIR = Path(".gauntlet")
DOCKER_IMAGE = "ghcr.io/shopify/toxiproxy:2.12.0"
DOCKER_PROXY_PORTS = tuple(range(8666, 8676))
"""Ports a container's proxies may listen on; each is published to a host port."""

BACKENDS = ("auto", "local", "docker")


@contextmanager
def open_toxiproxy(
    spec: str = "auto", *, state_dir: Path | str = DEFAULT_STATE_DIR
) -> Iterator[ToxiproxyClient]:
    """A reset Toxiproxy server for the duration of the block, stopped afterwards.

    `local` runs the `toxiproxy-server` binary; `docker` runs it in a container;
    `http://host:port` uses a running server (reset now, left running); `auto` prefers the
    local binary and falls back to Docker. Servers an earlier, killed run left behind in
    `state_dir` are stopped first.
    """
    state_dir = Path(state_dir)
    cleanup_stale(state_dir)
    if spec.startswith("http://") or spec.startswith("https://"):
        client = ToxiproxyClient(spec)
        client.version()
        client.reset()
        yield client
        return
    if spec not in BACKENDS:
        raise ToxiproxyUnavailable(
            f"unknown Toxiproxy backend {spec!r}: expected auto, local, docker or http://host:port"
        )
    if spec == "auto":
        spec = "local" if _local_binary_exists() else "docker"
    if spec == "local":
        with LocalToxiproxyServer(state_dir) as client:
            yield client
    else:
        with _docker_toxiproxy() as client:
            yield client


def _local_binary_exists() -> bool:
    try:
        find_toxiproxy_server()
    except ToxiproxyUnavailable:
        return False
    return True


@contextmanager
def _docker_toxiproxy() -> Iterator[ToxiproxyClient]:
    _require_docker()
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    container = DockerContainer(DOCKER_IMAGE).with_exposed_ports(8474, *DOCKER_PROXY_PORTS)
    with container:
        wait_for_logs(container, "API HTTP server starting", timeout=30)
        host = container.get_container_host_ip()

        def published(listen: str) -> str:
            # Inside the container a proxy listens on 0.0.0.0:<port>; from the host it is
            # reached through the port Docker published for it.
            port = int(listen.rsplit(":", 1)[1])
            return f"{host}:{container.get_exposed_port(port)}"

        client = ToxiproxyClient(
            f"http://{host}:{container.get_exposed_port(8474)}", listen_address=published
        )
        client.version()
        client.reset()
        yield client


def _require_docker() -> None:
    try:
        import docker
        from docker.errors import DockerException

        try:
            docker.from_env().ping()
        except DockerException as exc:
            raise ToxiproxyUnavailable(
                f"Docker isn't reachable ({str(exc).splitlines()[0][:120]}); choose "
                "--toxiproxy local (the toxiproxy-server binary; `make setup` installs it) "
                "or --toxiproxy http://host:port"
            ) from exc
    except ImportError as exc:
        raise ToxiproxyUnavailable(
            "the docker backend needs the `docker` package; choose --toxiproxy local"
        ) from exc
