"""The Toxiproxy docker backend on a real engine: host networking, faults that bite."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from chaos import schema
from chaos.containers import OWNER_LABEL

pytestmark = pytest.mark.docker


def _select_one(dsn: str) -> None:
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_proxies_listen_on_host_loopback_and_a_disabled_proxy_cuts_traffic(
    docker_world: Any, docker_engine: Any
) -> None:
    (container,) = [
        c
        for c in docker_engine.containers.list(filters={"label": OWNER_LABEL})
        if c.attrs["Config"]["Entrypoint"] == ["/toxiproxy"]
    ]
    assert container.attrs["HostConfig"]["NetworkMode"] == "host"
    assert docker_world.toxiproxy.api_url.startswith("http://127.0.0.1:")
    proxy = docker_world.proxies["ops"]
    assert proxy.host == "127.0.0.1"
    dsn = docker_world.upstream_dsn("ops", schema.OPS_DB, schema.READER)
    _select_one(dsn)
    docker_world.toxiproxy.disable(proxy.name)
    try:
        with pytest.raises(psycopg.OperationalError):
            _select_one(dsn)
    finally:
        docker_world.toxiproxy.enable(proxy.name)
    _select_one(dsn)
