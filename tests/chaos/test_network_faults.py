"""Every network fault, measured on the wire through the real Toxiproxy."""

from __future__ import annotations

import asyncio

import pytest
from chaos_wire import echo_seconds, fetch
from chaos_world import TestWorld

from chaos.faults import parse_fault
from chaos.toxiproxy import ProxyHandle

pytestmark = pytest.mark.integration


def test_latency_delays_each_round_trip(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "latency", "upstream": "ops", "latency_ms": 300})
    with fault.apply(world):
        delayed = asyncio.run(echo_seconds(proxy.port))
    assert delayed >= 0.3


def test_latency_on_the_upstream_stream_delays_too(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault(
        {"kind": "latency", "upstream": "ops", "stream": "upstream", "latency_ms": 300}
    )
    with fault.apply(world):
        delayed = asyncio.run(echo_seconds(proxy.port))
    assert delayed >= 0.3


def test_bandwidth_throttles_a_bulk_transfer(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "bandwidth", "upstream": "ops", "rate_kbps": 100})
    with fault.apply(world):
        received = asyncio.run(fetch(proxy.port, 60_000))
    assert len(received.data) == 60_000
    # 60 KB at 100 KB/s cannot arrive in less than about 0.6 s.
    assert received.seconds_to_eof is not None and received.seconds_to_eof >= 0.5


def test_timeout_zero_stalls_the_connection(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "timeout", "upstream": "ops", "timeout_ms": 0})
    with fault.apply(world):
        received = asyncio.run(fetch(proxy.port, 1000, within_s=0.5, hold=True))
    assert received.data == b"" and not received.eof and not received.reset
    assert asyncio.run(fetch(proxy.port, 1000, within_s=0.5, hold=True)).data == b"x" * 1000


def test_timeout_closes_the_connection_without_data(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "timeout", "upstream": "ops", "timeout_ms": 200})
    with fault.apply(world):
        received = asyncio.run(fetch(proxy.port, 1000, hold=True))
    assert received.data == b""
    assert received.eof or received.reset


def test_reset_peer_resets_the_connection(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "reset_peer", "upstream": "ops", "timeout_ms": 0})
    with fault.apply(world):
        received = asyncio.run(fetch(proxy.port, 1000))
    assert received.reset
    assert received.data == b""


def test_slicer_splits_data_into_small_pieces(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault(
        {"kind": "slicer", "upstream": "ops", "average_size": 10, "delay_us": 20_000}
    )
    with fault.apply(world):
        sliced = asyncio.run(fetch(proxy.port, 200))
    whole = asyncio.run(fetch(proxy.port, 200))
    assert sliced.data == whole.data == b"x" * 200
    assert len(whole.chunks) == 1
    assert len(sliced.chunks) >= 10 and max(sliced.chunks) <= 20


def test_the_widest_slicer_variation_allowed_keeps_the_server_up(
    world: TestWorld, proxy: ProxyHandle
) -> None:
    """A variation at the average made Toxiproxy's server panic mid-stream (every proxy
    died with it): the model refuses it, and the widest it accepts slices safely."""
    fault = parse_fault(
        {"kind": "slicer", "upstream": "ops", "average_size": 10, "size_variation": 9}
    )
    with fault.apply(world):
        sliced = asyncio.run(fetch(proxy.port, 5000))
    assert sliced.data == b"x" * 5000
    assert asyncio.run(fetch(proxy.port, 200)).data == b"x" * 200  # the server still answers


def test_limit_data_truncates_the_stream(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "limit_data", "upstream": "ops", "bytes": 1000})
    with fault.apply(world):
        received = asyncio.run(fetch(proxy.port, 50_000))
    assert len(received.data) == 1000
    assert received.eof or received.reset


def test_slow_close_delays_the_close(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "slow_close", "upstream": "ops", "delay_ms": 500})
    with fault.apply(world):
        received = asyncio.run(fetch(proxy.port, 100))
    assert received.data == b"x" * 100 and received.eof
    assert received.seconds_to_eof is not None and received.seconds_last_data is not None
    assert received.seconds_to_eof - received.seconds_last_data >= 0.4


def test_down_refuses_connections_until_rolled_back(world: TestWorld, proxy: ProxyHandle) -> None:
    with parse_fault({"kind": "down", "upstream": "ops"}).apply(world):
        assert asyncio.run(fetch(proxy.port, 10)).refused
        assert not world.toxiproxy.proxy(proxy.name).enabled
    assert asyncio.run(fetch(proxy.port, 10)).data == b"x" * 10


def test_toxicity_zero_is_a_no_op(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "limit_data", "upstream": "ops", "bytes": 10, "toxicity": 0})
    with fault.apply(world):
        assert world.toxiproxy.toxics(proxy.name)  # the toxic is there...
        received = asyncio.run(fetch(proxy.port, 5000))
    assert len(received.data) == 5000  # ...and never applies


def test_a_fault_hits_only_its_own_upstream(
    world: TestWorld, proxy: ProxyHandle, upstream: str
) -> None:
    metrics = world.toxiproxy.create_proxy("metrics_only", upstream=upstream)
    try:
        world.proxies = {"ops": proxy.name, "metrics": metrics.name}
        with parse_fault({"kind": "limit_data", "upstream": "metrics", "bytes": 10}).apply(world):
            assert len(asyncio.run(fetch(proxy.port, 5000)).data) == 5000
            assert len(asyncio.run(fetch(metrics.port, 5000)).data) == 10
    finally:
        world.toxiproxy.delete_proxy(metrics.name)


def test_overlapping_faults_of_one_kind_roll_back_independently(
    world: TestWorld, proxy: ProxyHandle
) -> None:
    first = parse_fault({"kind": "latency", "upstream": "ops", "latency_ms": 10})
    second = parse_fault({"kind": "latency", "upstream": "ops", "latency_ms": 20})
    with first.apply(world):
        with second.apply(world):
            assert len(world.toxiproxy.toxics(proxy.name)) == 2
        assert [t.attributes["latency"] for t in world.toxiproxy.toxics(proxy.name)] == [10]
    assert world.toxiproxy.toxics(proxy.name) == []
