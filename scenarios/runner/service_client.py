"""The harness's HTTP client for the system under test during a run: one aiohttp session.

The harness's own cost per request is time a verdict can blame on the system: on a busy
2-core machine a 32-caller burst through httpx (its pool polls every connection's socket on
each request) kept the harness's loop busy for seconds while the service had long answered,
and answers read 8 s after they were sent failed `within_deadline` although the service
took 1.4 s. aiohttp spends a twentieth of httpx's CPU per request with 32 callers
(`bench/client_cost.py`: 0.18 ms against 3.4 ms), so the harness stays far from being
the bottleneck.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from .harness_stall import StallMeter

# A connection idle longer than this is closed rather than reused: a server may close an
# idle one itself (uvicorn after 5 s), and a request sent on it just then would fail as if
# the system had dropped it.
IDLE_REUSE_S = 1.0


class TransportError(Exception):
    """No HTTP answer arrived: refused, reset, timed out or not HTTP at all."""


@dataclass(frozen=True)
class Reply:
    status: int
    content: bytes


class ServiceClient:
    """Requests to one base URL, each answered with its status and whole body, or
    `TransportError`."""

    def __init__(
        self,
        base_url: str,
        session: aiohttp.ClientSession,
        stall: StallMeter | None = None,
        fresh: aiohttp.ClientSession | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._fresh = fresh or session
        self._stall = stall or StallMeter()

    @property
    def stalled_s(self) -> float:
        """Seconds the harness's loop has stalled while this client was open (its answers
        may have waited that long to be read)."""
        return self._stall.total_s

    async def request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        fresh_connection: bool = False,
    ) -> Reply:
        """`fresh_connection`: on a connection of its own, closed after the answer, as a
        new caller's would be."""
        session = self._fresh if fresh_connection else self._session
        try:
            async with session.request(
                method, self.base_url + path, data=content, headers=headers
            ) as response:
                return Reply(response.status, await response.read())
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from None


@asynccontextmanager
async def service_client(base_url: str, *, timeout_s: float) -> AsyncIterator[ServiceClient]:
    """A client for `base_url`; every connection is closed on the way out."""
    settings: dict[str, Any] = {
        "timeout": aiohttp.ClientTimeout(total=timeout_s),
        "cookie_jar": aiohttp.DummyCookieJar(),  # a service's cookies are no business of a run
    }
    kept = aiohttp.TCPConnector(limit=0, keepalive_timeout=IDLE_REUSE_S)
    async with (
        aiohttp.ClientSession(connector=kept, **settings) as session,
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, force_close=True), **settings
        ) as fresh,
        StallMeter() as stall,
    ):
        yield ServiceClient(base_url, session, stall, fresh)
