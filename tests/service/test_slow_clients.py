"""Slow and idle clients, on real sockets: a connection that sends nothing, or its headers or
body too slowly, is closed; past the connection cap the longest-waiting idle one makes room;
and another caller is served throughout."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from service_support import API_KEYS, ListeningChild, make_orchestrator, offline_service_env

from chaos import free_loopback_port
from orchestrator.service import create_app
from orchestrator.service._listener import bind_listener
from orchestrator.service._slow_clients import request_deadline_protocol

REPO = Path(__file__).resolve().parents[2]
# Long past any deadline under test: a socket still open by then was held.
HELD_SECONDS = 30.0


@contextmanager
def _serving(*, arrival_seconds: float, max_connections: int) -> Iterator[int]:
    """The service app (real orchestrator, in-process tools) on a real port, in a thread."""
    listener = bind_listener("127.0.0.1", 0)
    protocol = request_deadline_protocol(
        arrival_seconds=arrival_seconds, max_connections=max_connections
    )
    app = create_app(make_orchestrator(), API_KEYS)
    config = uvicorn.Config(app, http=protocol, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[listener])))
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=HELD_SECONDS)


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed `sock` (reading ends) before `HELD_SECONDS`."""
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def _healthy(port: int) -> bool:
    return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=HELD_SECONDS).status_code == 200


def test_an_idle_connection_is_closed_while_others_are_served() -> None:
    with _serving(arrival_seconds=0.5, max_connections=64) as port, _connect(port) as idle:
        assert _healthy(port)
        assert _closed_by_server(idle)


def test_headers_sent_a_byte_at_a_time_are_cut_off() -> None:
    with _serving(arrival_seconds=0.5, max_connections=64) as port, _connect(port) as slow:
        closed = False
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200:
            try:
                slow.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.02)
        assert closed or _closed_by_server(slow)
        assert _healthy(port)


def test_a_body_that_never_ends_is_cut_off() -> None:
    with _serving(arrival_seconds=0.5, max_connections=64) as port, _connect(port) as slow:
        slow.sendall(
            b"POST /v1/orchestrate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"tenant_id": '
        )
        assert _closed_by_server(slow)
        assert _healthy(port)


def test_past_the_cap_the_longest_waiting_idle_connection_makes_room() -> None:
    # The deadline is far off: only the cap can free a place here.
    with _serving(arrival_seconds=HELD_SECONDS * 2, max_connections=4) as port:
        idle = [_connect(port) for _ in range(4)]
        try:
            time.sleep(0.2)  # all four accepted and waiting
            assert _healthy(port)  # a fifth connection: served
            assert _closed_by_server(idle[0])  # the longest-waiting idle one was shed
        finally:
            for sock in idle:
                sock.close()


def test_a_kept_alive_connection_may_send_its_next_request() -> None:
    with (
        _serving(arrival_seconds=5.0, max_connections=64) as port,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=HELD_SECONDS) as client,
    ):
        assert [client.get("/healthz").status_code for _ in range(3)] == [200] * 3


def test_the_reference_service_closes_an_idle_connection(tmp_path: Path) -> None:
    port = free_loopback_port()
    argv = [sys.executable, "-m", "orchestrator.service"]
    env = offline_service_env(tmp_path / "spool", port)
    with ListeningChild(argv, env=env, cwd=REPO) as child:
        assert child.listening.wait(60), child.output
        with _connect(port) as idle:
            assert _healthy(port)
            assert _closed_by_server(idle), "an idle connection was held"
        child.process.terminate()
        child.process.wait(timeout=30)


@pytest.mark.parametrize("seconds", [0.5, 10.0])
def test_the_protocol_class_carries_its_bounds(seconds: float) -> None:
    protocol = request_deadline_protocol(arrival_seconds=seconds, max_connections=7)
    assert (protocol.arrival_seconds, protocol.max_connections) == (seconds, 7)
