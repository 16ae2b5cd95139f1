"""A system under test given as an image, started from the environment contract.

    with target_container(image, contract_env, port=port) as base_url:   # http://127.0.0.1:PORT
        ...

The container shares the host's network, so the DSNs it is given (pointing at Toxiproxy's
proxies on 127.0.0.1) mean the same inside it as outside. It is stopped and removed on
every way out of the block, and labelled so that a later run removes it after a SIGKILL.
Its output is kept in `log_path`, like a command's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from chaos.containers import LOOPBACK, owner_labels, require_engine, start_container

from .command import TargetStartError


@dataclass(frozen=True)
class ReadOnlyMounts:
    """Host folders shown to the container at the same path, read-only."""

    paths: Sequence[Path] = field(default_factory=tuple)


@contextmanager
def target_container(
    image: str,
    contract_env: Mapping[str, str],
    *,
    port: int,
    command: Sequence[str] | None = None,
    mounts: ReadOnlyMounts = ReadOnlyMounts(),
    ready_timeout: float = 60.0,
    log_path: Path | None = None,
) -> Iterator[str]:
    """Run `image` (with `command`, else its own) on `port` and yield its URL once
    `/healthz` is 200."""
    require_engine()
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(image).with_kwargs(network_mode="host", labels=owner_labels())
    if command is not None:
        container.with_command(list(command))
    for name, value in {**contract_env, "PORT": str(port)}.items():
        container.with_env(name, value)
    for path in mounts.paths:
        container.with_volume_mapping(str(path), str(path), "ro")
    base_url = f"http://{LOOPBACK}:{port}"
    start_container(container)
    try:
        _wait_healthy(container, base_url, ready_timeout)
        yield base_url
    finally:
        try:
            if log_path is not None:
                _keep_logs(container, log_path)
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
            raise TargetStartError(
                f"the target container exited ({wrapped.status}) before GET {base_url}/healthz "
                f"answered; its last output: {_tail(wrapped)}"
            )
        time.sleep(0.2)
    raise TargetStartError(
        f"GET {base_url}/healthz did not answer 200 within {timeout:g}s; "
        f"the target's last output: {_tail(wrapped)}"
    )


def _tail(wrapped: object, lines: int = 5) -> str:
    logs = wrapped.logs(tail=lines).decode(errors="replace").strip()  # type: ignore[attr-defined]
    return " | ".join(logs.splitlines()) or "(nothing)"


def _keep_logs(container: object, log_path: Path) -> None:
    wrapped = container.get_wrapped_container()  # type: ignore[attr-defined]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_bytes(wrapped.logs())
