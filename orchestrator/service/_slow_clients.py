"""Slow and idle clients: no connection may hold the service without sending it a request.

uvicorn bounds only the idle time after a response (`timeout_keep_alive`). A connection
that sends nothing, or its headers or body a byte at a time, it holds without end: 20,000
idle sockets exhausted the descriptors and other callers' requests timed out. So every
connection here must deliver each request whole (headers and body) within
`arrival_seconds` of being ready for it, or it is closed; and the number of connections is
capped: past the cap, the connection that has waited longest for its request is closed to
make room (one whose request is being answered is never shed; if every one is busy, the
newcomer is closed).
"""

from __future__ import annotations

import asyncio
import resource
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

# Generous for any real client (a whole request takes milliseconds), short for a hold-out.
REQUEST_ARRIVAL_SECONDS = 10.0
MAX_CONNECTIONS = 1024
# Descriptors the process keeps for itself: pools, the spool, the validator's workers.
_RESERVED_DESCRIPTORS = 128
_ARRIVED = (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR)


def connection_cap(wanted: int = MAX_CONNECTIONS) -> int:
    """`wanted`, or fewer when the process may not open that many descriptors."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - _RESERVED_DESCRIPTORS))


class RequestDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request's arrival and a connection cap."""

    arrival_seconds: float = REQUEST_ARRIVAL_SECONDS
    max_connections: int = MAX_CONNECTIONS
    # The connections waiting for a request, longest-waiting first (a dict keeps insertion
    # order), shared by the connections of one server: shedding is O(1), not a scan of
    # every connection (a scan made each accept past the cap cost milliseconds).
    waiting: dict[RequestDeadlineProtocol, None] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._arrival_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_request()
        self._shed_over_cap()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in _ARRIVED:
            self._request_arrived()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state not in _ARRIVED:
            self._await_request()  # the next request on this connection is bounded too

    def connection_lost(self, exc: Exception | None) -> None:
        self._request_arrived()
        super().connection_lost(exc)

    def _await_request(self) -> None:
        self._request_arrived()
        self.waiting[self] = None
        self._arrival_deadline = self.loop.call_later(self.arrival_seconds, self._too_slow)

    def _request_arrived(self) -> None:
        if self._arrival_deadline is not None:
            self._arrival_deadline.cancel()
            self._arrival_deadline = None
        self.waiting.pop(self, None)

    def _too_slow(self) -> None:
        self._arrival_deadline = None
        if self.conn.their_state not in _ARRIVED and not self.transport.is_closing():
            self.transport.close()

    def _shed_over_cap(self) -> None:
        if len(self.connections) <= self.max_connections:
            return
        # The longest-waiting one (the newcomer itself when no other waits); it leaves the
        # waiting list now, so the next accept past the cap sheds the next one.
        oldest = next(iter(self.waiting))
        oldest._request_arrived()
        oldest.transport.close()


def request_deadline_protocol(
    *, arrival_seconds: float = REQUEST_ARRIVAL_SECONDS, max_connections: int | None = None
) -> type[RequestDeadlineProtocol]:
    """The protocol class for `uvicorn.Config(http=...)` with these bounds."""
    return type(
        "RequestDeadlineProtocol",
        (RequestDeadlineProtocol,),
        {
            "arrival_seconds": arrival_seconds,
            "max_connections": max_connections or connection_cap(),
            "waiting": {},
        },
    )
