"""Shared fixtures for the data layer: one real, seeded Postgres per test session."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chaos import free_loopback_port
from chaos.postgres import EmbeddedPostgres, start_ops_postgres

TOXIPROXY_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "toxiproxy-server"


@pytest.fixture(scope="session")
def postgres() -> Iterator[EmbeddedPostgres]:
    server = start_ops_postgres("embedded")
    try:
        yield server  # type: ignore[misc]
    finally:
        server.close()


@pytest.fixture(scope="session")
def toxiproxy_url() -> Iterator[str]:
    """The real Toxiproxy server, on a free port, reset afterwards."""
    port = free_loopback_port()
    process = subprocess.Popen(
        [str(TOXIPROXY_BIN), "-host", "127.0.0.1", "-port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/version", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.025)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
