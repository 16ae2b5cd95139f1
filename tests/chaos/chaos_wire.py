"""A small TCP upstream and client for measuring what a toxic does on the wire.

The upstream speaks one request line: `SEND <n>` answers n bytes in one write and closes;
`HOLD <n>` answers n bytes and keeps the connection open until the client closes it;
`ECHO` echoes everything that follows until the client closes.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field


class Upstream:
    """The server, on its own event loop in a daemon thread (tests use `asyncio.run`)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0
        self.received_bytes: list[int] = []

    def start(self) -> str:
        self._thread.start()
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self.loop
        ).result(timeout=5)
        self._server = server
        self.port = server.sockets[0].getsockname()[1]
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            command = (await reader.readline()).decode().split()
            if command[:1] == ["SEND"]:
                writer.write(b"x" * int(command[1]))
                await writer.drain()
            elif command[:1] == ["HOLD"]:
                writer.write(b"x" * int(command[1]))
                await writer.drain()
                await reader.read()
            elif command[:1] == ["ECHO"]:
                while chunk := await reader.read(65536):
                    writer.write(chunk)
                    await writer.drain()
        except (ConnectionError, IndexError, ValueError):
            pass
        finally:
            writer.close()


@dataclass
class Received:
    data: bytes = b""
    chunks: list[int] = field(default_factory=list)
    eof: bool = False
    reset: bool = False
    refused: bool = False
    seconds_to_eof: float | None = None
    seconds_last_data: float | None = None


async def fetch(port: int, size: int, *, within_s: float = 5.0, hold: bool = False) -> Received:
    """Ask for `size` bytes through `port`; read until EOF, a reset, or `within_s` passes.

    With `hold` the upstream keeps the connection open after sending.
    """
    received = Received()
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        received.refused = True
        return received
    try:
        writer.write(f"{'HOLD' if hold else 'SEND'} {size}\n".encode())
        await writer.drain()
        async with asyncio.timeout(within_s):
            while chunk := await reader.read(65536):
                received.data += chunk
                received.chunks.append(len(chunk))
                received.seconds_last_data = time.monotonic() - started
            received.eof = True
            received.seconds_to_eof = time.monotonic() - started
    except ConnectionResetError:
        received.reset = True
    except TimeoutError:
        pass
    finally:
        writer.close()
    return received


async def echo_seconds(port: int, payload: bytes = b"ping") -> float:
    """Seconds for one echo round trip through `port`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"ECHO\n")
        await writer.drain()
        started = time.monotonic()
        writer.write(payload)
        await writer.drain()
        await reader.readexactly(len(payload))
        return time.monotonic() - started
    finally:
        writer.close()
