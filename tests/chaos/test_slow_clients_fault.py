"""`slow_clients` on real sockets: it holds every connection it was asked for, trickles bytes
on the slow ones without ever finishing a request, counts those the server closes, and
closes every one of them on rollback, also when the block around it raises."""

from __future__ import annotations

import math
import selectors
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from chaos.faults import SlowClientsFault, parse_fault
from chaos.faults.held_connections import HeldConnections, descriptor_headroom

# Long past anything under test: waiting this long means the expected never came.
PATIENCE_S = 30.0


@dataclass
class _Server:
    """A TCP server that accepts every connection, keeps what each sends, and can close
    the first `close_first` it accepts at once (a server that sheds)."""

    close_first: int = 0
    accepted: list[socket.socket] = field(default_factory=list)
    received: dict[socket.socket, bytes] = field(default_factory=dict)
    ended: set[socket.socket] = field(default_factory=set)  # closed by the client
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, listener: socket.socket, stop: threading.Event) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            while not stop.is_set():
                for key, _ in selector.select(timeout=0.05):
                    if key.fileobj is listener:
                        self._accept(listener, selector)
                    else:
                        self._read(key.fileobj, selector)  # type: ignore[arg-type]

    def _accept(self, listener: socket.socket, selector: selectors.BaseSelector) -> None:
        try:
            conn, _ = listener.accept()
        except OSError:  # out of descriptors (the test that lowers the limit): left queued
            return
        with self.lock:
            self.accepted.append(conn)
            shed = len(self.accepted) <= self.close_first
        if shed:
            conn.close()
            return
        conn.setblocking(False)
        selector.register(conn, selectors.EVENT_READ)

    def _read(self, conn: socket.socket, selector: selectors.BaseSelector) -> None:
        try:
            data = conn.recv(4096)
        except ConnectionResetError:
            data = b""
        with self.lock:
            if data:
                self.received[conn] = self.received.get(conn, b"") + data
                return
            self.ended.add(conn)
        selector.unregister(conn)

    def open_count(self) -> int:
        with self.lock:
            return len(self.accepted) - min(self.close_first, len(self.accepted)) - len(self.ended)


@dataclass(frozen=True)
class _Target:
    service_url: str


@contextmanager
def _serving(close_first: int = 0) -> Iterator[tuple[_Server, _Target]]:
    server, stop = _Server(close_first), threading.Event()
    with socket.create_server(("127.0.0.1", 0), backlog=1024) as listener:
        listener.setblocking(False)
        thread = threading.Thread(target=server.serve, args=(listener, stop), daemon=True)
        thread.start()
        try:
            yield server, _Target(f"http://127.0.0.1:{listener.getsockname()[1]}")
        finally:
            stop.set()
            thread.join(PATIENCE_S)
            for conn in server.accepted:
                conn.close()


def _until(condition: object, what: str) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.02)


def _body_headers(server: _Server) -> int:
    with server.lock:
        return sum(b"\r\n\r\n" in data for data in server.received.values())


def test_it_holds_every_connection_then_rollback_closes_them_all() -> None:
    fault = parse_fault(
        {"kind": "slow_clients", "connections": 300, "open_seconds": 0, "interval_seconds": 0.1}
    )
    with _serving() as (server, target):
        with fault.apply(target):  # type: ignore[arg-type]
            _until(lambda: len(server.accepted) == 300, "300 connections accepted")
            _until(lambda: _body_headers(server) == 100, "the bodies' headers sent")
            assert server.open_count() == 300  # all held while the fault lasts
        _until(lambda: server.open_count() == 0, "every connection closed by the rollback")
    with server.lock:
        sent = list(server.received.values())
    # the start of a request that never ends: headers a byte at a time, or whole headers
    # declaring a body that comes a byte at a time
    opening = b"POST /v1/orchestrate HTTP/1.1\r\nHost: gauntlet\r\n"
    assert all(opening.startswith(data[: len(opening)]) for data in sent)
    bodies = [data.split(b"\r\n\r\n", 1) for data in sent if b"\r\n\r\n" in data]
    assert len(bodies) == 100  # every body connection sent its headers at once
    assert all(b"Content-Length: 60000" in head and len(body) < 100 for head, body in bodies)
    assert len(sent) >= 150 and all(len(data) < 300 for data in sent)
    assert fault.evidence() == (
        True,
        "300 of 300 slow connections opened, 0 closed by the service, 300 held to the end",
    )


def test_rollback_closes_them_when_the_block_raises() -> None:
    fault = SlowClientsFault(connections=50, manners=("idle",), open_seconds=0)
    with _serving() as (server, target):
        with (
            pytest.raises(RuntimeError, match="scenario crashed"),
            fault.apply(target),  # type: ignore[arg-type]
        ):
            _until(lambda: len(server.accepted) == 50, "50 connections accepted")
            raise RuntimeError("scenario crashed")
        _until(lambda: server.open_count() == 0, "every connection closed by the rollback")


def test_connections_the_server_closes_are_counted_not_reopened() -> None:
    fault = SlowClientsFault(connections=40, manners=("idle",), open_seconds=0)
    with _serving(close_first=25) as (server, target):
        with fault.apply(target):  # type: ignore[arg-type]
            _until(lambda: len(server.accepted) == 40, "40 connections accepted")
            time.sleep(0.3)  # time to see the 25 closes
        assert len(server.accepted) == 40  # none reopened
    counts = fault.counts
    assert counts is not None
    assert (counts.opened, counts.closed_by_service, counts.held_at_end) == (40, 25, 15)


def test_opening_is_paced_over_open_seconds() -> None:
    fault = SlowClientsFault(connections=20, manners=("idle",), open_seconds=1.0)
    with _serving() as (server, target):
        started = time.monotonic()
        with fault.apply(target):  # type: ignore[arg-type]
            injected_after = time.monotonic() - started
            _until(lambda: len(server.accepted) == 20, "20 connections accepted")
    # injection ends with the last connection, which is due after most of the second
    assert injected_after >= 0.9


def test_sockets_the_harness_cannot_create_are_counted_short() -> None:
    import os
    import resource

    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    with _serving() as (_server, target):
        port = int(target.service_url.rsplit(":", 1)[1])
        holder = HeldConnections(
            ("127.0.0.1", port), 50, ("idle",), open_per_second=math.inf, interval_seconds=1.0
        )
        # room for 20 more descriptors only (the selector's own included)
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 20, before[1])
        )
        try:
            holder.start()
            holder.wait_opened()
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, before)
        counts = holder.close()
    assert counts.short > 0
    assert counts.opened + counts.short == 50


def test_the_descriptor_headroom_is_raised_then_restored() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    with descriptor_headroom(100) as room:
        assert room == 100
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        assert soft >= 100
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == before
