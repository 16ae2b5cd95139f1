"""The service's listening socket, bound before the server starts.

Binding first makes a busy port fail in milliseconds, before anything slow has started, and
means the port is open by the time the process says it listens.
"""

from __future__ import annotations

import socket


def bind_listener(host: str, port: int, *, backlog: int = 2048) -> socket.socket:
    """A TCP socket listening on `host:port` (port 0: any free port); raises `OSError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and an
    # accepted connection inherits the listener's (0 unless named). Without it uvicorn's
    # response, written as head then body, waited on the client's delayed ACK: 40 ms a
    # request on a kept-alive connection
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(backlog)
    except BaseException:
        listener.close()
        raise
    listener.set_inheritable(True)  # uvicorn's worker processes may share it
    return listener
