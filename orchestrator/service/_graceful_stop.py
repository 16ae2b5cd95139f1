"""Stopping the service on SIGTERM or SIGINT, whenever the signal lands.

uvicorn installs its signal handlers only while `Server.serve()` runs, and afterwards
re-raises the signal into whatever handler was there before. A signal that lands before
`serve()` has installed its handlers — the first milliseconds after the process said it
listens — met whatever handler the caller had left there: a no-op lost it (the service then
ran forever), the default one killed the process before its pools closed.

So one handler, `StopSignals`, is installed before anything starts and stays until the
process is done, and uvicorn's own capture is switched off:

- before the server exists, a signal is remembered (or, with `interrupts_startup`, raised
  as `KeyboardInterrupt` once, so a slow start-up unwinds its `with` blocks, until
  `remember_from_now()` says the app that the server will close exists);
- once the server exists, the first signal asks it to stop gracefully (in-flight requests
  finish, the lifespan closes the orchestrator); a second one ends that drain at once;
- a signal remembered before the server existed stops it as soon as it is attached.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import uvicorn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals:
    """The process's SIGINT/SIGTERM handler for the whole life of one service."""

    def __init__(self, *, interrupts_startup: bool = False) -> None:
        self.received = 0
        self._interrupts_startup = interrupts_startup
        self._server: uvicorn.Server | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.received += 1
        if self._server is not None:
            self._stop(self._server)
        elif self._interrupts_startup and self.received == 1:
            raise KeyboardInterrupt  # unwinds a start-up still under way; later ones wait

    def remember_from_now(self) -> None:
        """Stop raising at start-up: what was built from here on (an app that owns pools and
        worker processes) is closed by the server's shutdown, which a signal remembered
        now still triggers the moment the server is attached. Raising instead would unwind
        past that app and leave its workers running."""
        self._interrupts_startup = False

    def attach(self, server: uvicorn.Server) -> None:
        """From now on a signal stops `server`; one that already came stops it at once."""
        self._server = server
        if self.received:
            self._stop(server)

    def _stop(self, server: uvicorn.Server) -> None:
        server.should_exit = True
        if self.received > 1:
            server.force_exit = True  # a second signal: stop waiting for connections

    @contextmanager
    def installed(self) -> Iterator[StopSignals]:
        """Handle SIGINT and SIGTERM for the duration of the block, then restore."""
        previous = {sig: signal.signal(sig, self) for sig in STOP_SIGNALS}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class _Server(uvicorn.Server):
    """uvicorn with its signal capture switched off: `StopSignals` is in charge."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets=sockets)
        if self.force_exit:
            # A forced exit makes uvicorn skip the app's lifespan shutdown, and the
            # orchestrator would then be cancelled mid-close (pools open, a replay cut
            # short). The second signal ends the wait for connections, not the close.
            await self.lifespan.shutdown()


def serve_until_stopped(
    app: Any,
    stop: StopSignals,
    *,
    sockets: list[socket.socket],
    log_level: str = "warning",
) -> None:
    """Serve `app` on `sockets` until `stop` receives a signal; returns after shutdown.

    `stop` must already be installed (`with stop.installed():`), so that no signal falls
    between start-up and uvicorn's main loop.
    """
    # Imported here: the signal handlers are installed before anything slow is loaded.
    from ._slow_clients import request_deadline_protocol

    config = uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="on",
        access_log=False,
        http=request_deadline_protocol(),  # slow and idle clients are closed, not held
    )
    server = _Server(config)
    stop.attach(server)
    server.run(sockets=sockets)
