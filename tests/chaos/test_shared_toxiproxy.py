"""A Toxiproxy server given by URL is shared: Gauntlet touches only what it made there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.faults import parse_fault
from chaos.toxiproxy import LocalToxiproxyServer, ToxiproxyClient
from chaos.world import open_world

pytestmark = pytest.mark.integration


@pytest.fixture
def shared_server(tmp_path: Path, upstream: str) -> Iterator[ToxiproxyClient]:
    """An external server, with a proxy and a toxic that belong to somebody else."""
    with LocalToxiproxyServer(tmp_path / "shared") as client:
        client.create_proxy("teammate_cache", upstream=upstream)
        client.add_toxic("teammate_cache", type="latency", attributes={"latency": 250})
        client.disable("teammate_cache")
        yield client


def test_two_runs_on_one_shared_server_leave_others_alone(
    shared_server: ToxiproxyClient,
) -> None:
    names_per_run = []
    for _ in range(2):  # the second run must work too: no "proxy already exists"
        with open_world("embedded", shared_server.api_url) as world:
            ours = {proxy.name for proxy in world.proxies.values()}
            names_per_run.append(ours)
            assert ours <= set(shared_server.proxies())
            fault = parse_fault({"kind": "latency", "upstream": "ops", "latency_ms": 50})
            with fault.apply(world):
                assert len(shared_server.toxics(world.proxy_name("ops"))) == 1
                world.heal()  # what each scenario does first
                assert shared_server.toxics(world.proxy_name("ops")) == []
            _assert_teammate_untouched(shared_server)
        assert set(shared_server.proxies()) == {"teammate_cache"}  # ours are deleted
    first, second = names_per_run
    assert first.isdisjoint(second)  # run-unique names
    _assert_teammate_untouched(shared_server)


def _assert_teammate_untouched(server: ToxiproxyClient) -> None:
    toxics = server.toxics("teammate_cache")
    assert [(t.type, t.attributes["latency"]) for t in toxics] == [("latency", 250)]
    assert not server.proxy("teammate_cache").enabled
