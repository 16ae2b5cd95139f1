from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from chaos_wire import Upstream
from chaos_world import TestWorld

from chaos.toxiproxy import LocalToxiproxyServer, ProxyHandle, ToxiproxyClient


@pytest.fixture(scope="session")
def toxiproxy_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gauntlet-state")


@pytest.fixture(scope="session")
def toxiproxy(toxiproxy_state_dir: Path) -> Iterator[ToxiproxyClient]:
    with LocalToxiproxyServer(toxiproxy_state_dir) as client:
        yield client


@pytest.fixture(scope="session")
def upstream() -> Iterator[str]:
    server = Upstream()
    address = server.start()
    yield address
    server.stop()


@pytest.fixture
def proxy(toxiproxy: ToxiproxyClient, upstream: str) -> Iterator[ProxyHandle]:
    handle = toxiproxy.create_proxy(f"ops_{uuid.uuid4().hex[:8]}", upstream=upstream)
    yield handle
    toxiproxy.delete_proxy(handle.name)


@pytest.fixture
def world(toxiproxy: ToxiproxyClient, proxy: ProxyHandle) -> TestWorld:
    return TestWorld(toxiproxy=toxiproxy, proxies={"ops": proxy.name, "metrics": proxy.name})
