"""A declared upstream (a cache, an HTTP API) gets a proxy, and network faults land on it.

A real TCP service (the echo upstream of `chaos_wire`) is declared as `cache`, in a world
Gauntlet starts and in one around a system given by URL; a client goes through the proxy
whose address the system learns from `GAUNTLET_UPSTREAM_CACHE`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from chaos_wire import echo_seconds, fetch

import contract
from chaos import free_loopback_port
from chaos.faults import FaultInjectionError, parse_fault
from chaos.remote_world import open_remote_world, parse_upstream
from chaos.schema import OPS_DB, READER
from chaos.toxiproxy import ToxiproxyRejected
from chaos.world import open_world
from scenarios.runner.suite_run import contract_env

pytestmark = pytest.mark.integration

INJECTED_MS = 400


@contextmanager
def gauntlet_world(address: str) -> Iterator[Any]:
    with open_world(upstreams={"cache": address}) as world:
        yield world


@contextmanager
def remote_world(address: str) -> Iterator[Any]:
    with open_remote_world([parse_upstream(f"cache={address}")], {}) as world:
        yield world


@pytest.fixture(params=[gauntlet_world, remote_world], ids=["own-world", "target-url"])
def world(request: pytest.FixtureRequest, upstream: str) -> Iterator[Any]:
    with request.param(upstream) as opened:
        yield opened


def cache_port(world: Any) -> int:
    return world.proxies["cache"].port


def test_the_system_learns_the_proxy_address_from_one_variable(
    upstream: str, tmp_path: Path
) -> None:
    with gauntlet_world(upstream) as world:
        env = world.upstream_environment()
        proxy = world.proxies["cache"]
        assert env == {"GAUNTLET_UPSTREAM_CACHE": proxy.listen}
        assert proxy.listen != upstream  # the proxy, never the service itself
        assert contract.upstreams_from_env(env) == {"cache": proxy.listen}
        # what a started system gets: the contract's environment plus this variable
        started_with = contract_env(world, tmp_path / "spool")
        assert started_with["GAUNTLET_UPSTREAM_CACHE"] == proxy.listen
        assert contract.OPS_DSN in started_with


def test_latency_on_a_declared_upstream_lands_and_rolls_back(world: Any) -> None:
    port = cache_port(world)
    asyncio.run(echo_seconds(port))  # healthy through the proxy
    fault = parse_fault({"kind": "latency", "upstream": "cache", "latency_ms": INJECTED_MS})
    with fault.apply(world):
        delayed = asyncio.run(echo_seconds(port))
        assert len(world.toxiproxy.toxics(world.proxy_name("cache"))) == 1
    assert delayed >= INJECTED_MS / 1000  # the toxic holds every reply at least this long
    assert world.toxiproxy.toxics(world.proxy_name("cache")) == []


def test_reset_peer_on_a_declared_upstream_lands_and_rolls_back(world: Any) -> None:
    port = cache_port(world)
    assert asyncio.run(fetch(port, 64)).data == b"x" * 64
    with parse_fault({"kind": "reset_peer", "upstream": "cache"}).apply(world):
        cut = asyncio.run(fetch(port, 64))
    assert cut.data == b"" and (cut.reset or cut.eof)
    assert world.toxiproxy.toxics(world.proxy_name("cache")) == []
    assert asyncio.run(fetch(port, 64)).data == b"x" * 64  # healed


def test_down_on_a_declared_upstream_refuses_then_recovers(world: Any) -> None:
    port = cache_port(world)
    with parse_fault({"kind": "down", "upstream": "cache"}).apply(world):
        assert asyncio.run(fetch(port, 8)).data == b""
    assert asyncio.run(fetch(port, 8)).data == b"x" * 8


def test_an_undeclared_name_is_refused_with_a_suggestion(world: Any) -> None:
    fault = parse_fault({"kind": "latency", "upstream": "cahce", "latency_ms": 1})
    with pytest.raises(FaultInjectionError) as refused, fault.apply(world):
        pass
    message = str(refused.value)
    assert "unknown upstream 'cahce'" in message and "did you mean 'cache'?" in message
    assert "\n" not in message


def test_a_declared_upstream_is_not_gauntlets_postgres(upstream: str) -> None:
    refused = pytest.raises(FaultInjectionError, match="not Gauntlet's Postgres")
    with gauntlet_world(upstream) as world, refused:
        world.upstream_dsn("cache", OPS_DB, READER)


def test_a_builtin_name_cannot_be_declared_again(upstream: str) -> None:
    with pytest.raises(ValueError, match="built in"), open_world(upstreams={"ops": upstream}):
        pass


def test_a_listen_port_another_process_holds_is_a_one_line_error(upstream: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", free_loopback_port()))
        holder.listen()
        port = holder.getsockname()[1]
        declared = [parse_upstream(f"cache={upstream}@{port}")]
        with pytest.raises(ToxiproxyRejected) as refused, open_remote_world(declared, {}):
            pass
    message = str(refused.value)
    assert message.startswith("--upstream cache: ") and "\n" not in message
    assert f"127.0.0.1:{port}" in message and "address already in use" in message
    assert "declare another @PORT" in message
