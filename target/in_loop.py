"""Serve an ASGI app with uvicorn inside the current event loop, on a port the OS picks."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

import uvicorn
from fastapi import FastAPI

STARTUP_TIMEOUT_S = 30.0


def listening_socket(host: str) -> socket.socket:
    """A TCP socket bound to a port the OS picks on `host` (uvicorn listens on it)."""
    # IPPROTO_TCP named, so that asyncio sets TCP_NODELAY on the accepted connections
    # (they inherit this proto): else each answer may wait 40 ms for a delayed ACK
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@asynccontextmanager
async def hosted(app: FastAPI, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run `app` on a real socket for the duration of the block; yields its base URL.

    The socket is bound before uvicorn starts, so the port is known and never raced for.
    The app's lifespan runs, so an app that owns its orchestrator closes it on the way out.
    """
    sock = listening_socket(host)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    )
    # The harness owns Ctrl-C: uvicorn would otherwise take SIGINT for itself and shut the
    # service down under requests still in flight, which then read as `failed`.
    server.capture_signals = nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT_S):
            while not server.started:
                if task.done():
                    task.result()  # raises what stopped it
                    raise RuntimeError("the orchestrator service stopped during startup")
                await asyncio.sleep(0.02)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=10)
        except TimeoutError:
            server.force_exit = True
            task.cancel()
        sock.close()
