"""The orchestrator service as a uvicorn subprocess, optionally under pyinstrument."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from pathlib import Path

from chaos.loopback_port import free_loopback_port

from .child_process import ChildProcess


class ServiceStartError(RuntimeError):
    """The service did not become healthy; the message carries the tail of its log."""


def service_argv(
    app: str,
    port: int,
    *,
    workers: int,
    factory: bool = True,
    profile_html: Path | None = None,
    host: str = "127.0.0.1",
) -> list[str]:
    """uvicorn's command line; with `profile_html` one worker runs under pyinstrument."""
    uvicorn = [
        "uvicorn",
        app,
        "--host",
        host,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if factory:
        uvicorn.append("--factory")
    if profile_html is not None:
        # A sampling profile of one process; workers would each need their own.
        return [sys.executable, "-m", "target.profiled_service", str(profile_html), app, str(port)]
    return [sys.executable, "-m", *uvicorn, "--workers", str(workers)]


async def start_service(
    contract_env: Mapping[str, str] | None,
    *,
    log_path: Path,
    workers: int = 1,
    app: str = "orchestrator.service:app_from_env",
    factory: bool = True,
    profile_html: Path | None = None,
    ready_timeout_s: float = 30.0,
    health_path: str = "/healthz",
    host: str = "127.0.0.1",
    port: int = 0,
) -> tuple[ChildProcess, str]:
    """Start uvicorn and wait until `health_path` answers 200; returns (process, base URL).

    `host` is the interface it listens on (0.0.0.0 for workers on other hosts); `port` 0
    picks a free one. The URL returned is always the loopback one."""
    port = port or free_loopback_port()
    env = dict(contract_env or {})
    child = await ChildProcess.start(
        "service",
        service_argv(
            app, port, workers=workers, factory=factory, profile_html=profile_html, host=host
        ),
        log_path=log_path,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    await _until_healthy(child, url, health_path, ready_timeout_s)
    return child, url


async def _until_healthy(child: ChildProcess, url: str, health_path: str, timeout_s: float) -> None:
    """Wait until `health_path` answers 200; otherwise stop `child` and say why."""
    try:
        async with asyncio.timeout(timeout_s):
            if await child.serves(url + health_path):
                return
            raise ServiceStartError(
                f"the service exited with code {child.returncode} while starting:\n"
                f"{child.log_tail()}"
            )
    except TimeoutError:
        await child.stop(grace_s=2.0)
        raise ServiceStartError(
            f"the service did not answer {health_path} within {timeout_s:g}s:\n{child.log_tail()}"
        ) from None
    except BaseException:
        await child.stop(grace_s=2.0)
        raise
