"""A system under test given as an image, started from the environment contract.

    with target_container(image, contract) as base_url:   # http://127.0.0.1:PORT
        ...

The container shares the host's network, so the DSNs it is given (pointing at Toxiproxy's
proxies on 127.0.0.1) mean the same inside it as outside. It is stopped and removed on
every way out of the block, and labelled so that a later run removes it after a SIGKILL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

import contract

from ._engine import LOOPBACK, owner_labels, require_engine, start_container


class TargetDidNotStart(RuntimeError):
    """The target never answered `GET /healthz`; the message ends with its last output."""


@dataclass(frozen=True)
class TargetContract:
    """What a system under test is told: its upstreams, its API keys, its port."""

    ops_dsn: str
    metrics_dsn: str
    audit_dsn: str
    api_keys: Mapping[str, str]
    port: int

    def environment(self) -> dict[str, str]:
        settings = {
            "ops_dsn": self.ops_dsn,
            "metrics_dsn": self.metrics_dsn,
            "audit_dsn": self.audit_dsn,
            "api_keys": dict(self.api_keys),
        }
        return contract.environment(settings, port=self.port)


@dataclass(frozen=True)
class ReadOnlyMounts:
    """Host folders shown to the container at the same path, read-only."""

    paths: Sequence[Path] = field(default_factory=tuple)


@contextmanager
def target_container(
    image: str,
    contract: TargetContract,
    *,
    command: Sequence[str] | None = None,
    mounts: ReadOnlyMounts = ReadOnlyMounts(),
    ready_timeout: float = 60.0,
) -> Iterator[str]:
    """Run `image` (with `command`, else its own) and yield its URL once `/healthz` is 200."""
    require_engine()
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(image).with_kwargs(network_mode="host", labels=owner_labels())
    if command is not None:
        container.with_command(list(command))
    for name, value in contract.environment().items():
        container.with_env(name, value)
    for path in mounts.paths:
        container.with_volume_mapping(str(path), str(path), "ro")
    base_url = f"http://{LOOPBACK}:{contract.port}"
    start_container(container)
    try:
        _wait_healthy(container, base_url, ready_timeout)
        yield base_url
    finally:
        container.stop()


def _wait_healthy(container: object, base_url: str, timeout: float) -> None:
    wrapped = container.get_wrapped_container()  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        wrapped.reload()
        if wrapped.status not in ("created", "running"):
            raise TargetDidNotStart(
                f"the target container exited ({wrapped.status}) before GET {base_url}/healthz "
                f"answered; its last output: {_tail(wrapped)}"
            )
        time.sleep(0.2)
    raise TargetDidNotStart(
        f"GET {base_url}/healthz did not answer 200 within {timeout:g}s; "
        f"the target's last output: {_tail(wrapped)}"
    )


def _tail(wrapped: object, lines: int = 5) -> str:
    logs = wrapped.logs(tail=lines).decode(errors="replace").strip()  # type: ignore[attr-defined]
    return " | ".join(logs.splitlines()) or "(nothing)"
