"""The Docker engine, and the rules every container of Gauntlet's follows.

- Probe the engine before constructing anything: testcontainers already raises from a
  constructor when there is none. `DockerUnavailable` carries one line, never a traceback.
- Reach containers on 127.0.0.1 only (a port published there, or host networking), never
  through a bridge's private address.
- Label each container with its owner process, so that a later run removes what a killed
  one left behind. testcontainers' own reaper needs an image from a registry, so it stays
  off unless TESTCONTAINERS_RYUK_DISABLED is set explicitly.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from ..liveness import process_exists

LOOPBACK = "127.0.0.1"
OWNER_LABEL = "io.gauntlet.owner"


class DockerUnavailable(RuntimeError):
    """No Docker engine answers here; the message is one line."""


def require_engine() -> Any:
    """A client of a Docker engine that answers, with testcontainers set up for it."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError as exc:  # pragma: no cover - docker comes with testcontainers
        raise DockerUnavailable(f"the Docker client library is missing ({exc})") from None
    try:
        client = docker.from_env()
        client.ping()
    except DockerException as exc:
        raise DockerUnavailable(f"Docker engine not reachable ({_first_line(exc)})") from None
    if "TESTCONTAINERS_RYUK_DISABLED" not in os.environ:
        from testcontainers.core.config import testcontainers_config

        testcontainers_config.ryuk_disabled = True
    remove_orphans(client)
    return client


def start_container(container: Any) -> None:
    """Start a testcontainers container; an engine error (say, an image that is neither here
    nor pullable) becomes one `DockerUnavailable` line naming the image."""
    from docker.errors import DockerException

    try:
        container.start()
    except DockerException as exc:
        container.stop()  # removes it if it was created; a no-op otherwise
        reason = _first_line(exc)
        raise DockerUnavailable(
            f"container of image {container.image!r} did not start: {reason}"
        ) from None


def owner_labels() -> dict[str, str]:
    return {OWNER_LABEL: f"{socket.gethostname()}:{os.getpid()}"}


def remove_orphans(client: Any) -> list[str]:
    """Remove our containers whose owner process on this host is gone; return their names."""
    removed = []
    here = socket.gethostname()
    for container in client.containers.list(all=True, filters={"label": OWNER_LABEL}):
        host, _, pid = container.labels.get(OWNER_LABEL, "").rpartition(":")
        if host != here or not pid.isdigit() or process_exists(int(pid)):
            continue
        container.remove(force=True)
        removed.append(container.name)
    return removed


def _first_line(exc: Exception) -> str:
    # An engine's APIError carries the daemon's own words in `explanation`.
    text = str(getattr(exc, "explanation", None) or exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
