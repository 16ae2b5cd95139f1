"""Every server Gauntlet binds before uvicorn starts answers without waiting for a delayed
ACK: asyncio sets TCP_NODELAY only on a connection whose socket says it is TCP, and an
accepted connection takes that from its listener. A listener made as a bare stream socket
(proto 0) left uvicorn's head-then-body answers 40 ms behind on kept-alive connections."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import pytest

from load.transport.collector import bound_socket
from orchestrator.service import bind_listener
from target.in_loop import listening_socket


def _listen(sock: socket.socket) -> socket.socket:
    sock.listen()
    return sock


LISTENERS: dict[str, Callable[[], socket.socket]] = {
    "the orchestrator service": lambda: bind_listener("127.0.0.1", 0),
    "a service hosted in the harness's loop": lambda: _listen(listening_socket("127.0.0.1")),
    "the load collector": lambda: bound_socket("127.0.0.1", 0),
}


@pytest.mark.parametrize("make", LISTENERS.values(), ids=LISTENERS.keys())
def test_accepted_connections_send_without_nagle(make: Callable[[], socket.socket]) -> None:
    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn = writer.get_extra_info("socket")
            seen.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        with make() as listener:
            server = await asyncio.start_server(on_connect, sock=listener)
            async with server:
                port = listener.getsockname()[1]
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                try:
                    return await asyncio.wait_for(seen, timeout=10)
                finally:
                    writer.close()

    assert asyncio.run(accepted_nodelay()) != 0
