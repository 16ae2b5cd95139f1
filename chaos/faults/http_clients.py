"""Faults of the service's own front door: callers that are no callers at all.

`junk_methods` sends requests with made-up HTTP methods, each one new, without a key: a
service that turns the method into a metric label grows one time series per method, and
its `/metrics` with it (20,000 of them once made it 35 MiB, and one scrape froze request
handling for seconds). Expected: each is refused (404, 405, 501...), the label set stays
bounded, and the tenants' own requests are untouched.

`slow_clients` opens thousands of connections without a key and never finishes a request
on any of them: idle (connects, sends nothing), headers (a request line and headers a byte
at a time) or body (whole headers declaring a `Content-Length`, then the body a byte at a
time). A server with no deadline for a request's arrival and no connection cap holds them
all until its descriptors run out, and then accepts nobody: 20,000 idle sockets once made
other callers' requests time out. Expected: the tenants' own requests are answered
throughout, however the service frees itself of the slow ones.
"""

from __future__ import annotations

import math
import random
import string
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Literal
from urllib.parse import urlsplit

import httpx
from pydantic import Field, PrivateAttr

from .base import Fault, register_fault
from .held_connections import HeldConnections, HeldCounts, Manner, descriptor_headroom
from .target import FaultTarget

_SENDERS = 8  # concurrent connections sending the junk
# Slow clients, not a flood of connections (an attack of its own, which a small server loses
# to its CPU whatever its timeouts): never opened faster than this.
MAX_OPEN_PER_SECOND = 1000
# Fewer answered than this and a label set that grows with each method could still hide
# under a size bound (each method costs an unbounded service a kilobyte or more).
MIN_ANSWERED = 100


def junk_method(rng: random.Random) -> str:
    """A valid HTTP token no server knows: `X` and eleven capital letters."""
    return "X" + "".join(rng.choices(string.ascii_uppercase, k=11))


@register_fault
class JunkMethodsFault(Fault):
    """Up to `requests` requests, each with a method of its own, sent as fast as 8
    connections allow while the fault lasts (unauthenticated, to the orchestrate path).
    `evidence`: at least `MIN_ANSWERED` of them were answered."""

    kind: Literal["junk_methods"] = "junk_methods"
    requests: int = Field(default=2000, ge=1, le=100_000)
    _answered: int | None = PrivateAttr(default=None)

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        stop, counted = threading.Event(), [0]
        url = target.service_url.rstrip("/") + "/v1/orchestrate"
        sender = threading.Thread(
            target=self._send, args=(url, stop, counted), name="junk-methods", daemon=True
        )
        self._answered = None
        undo.callback(self._settle, counted)
        undo.callback(sender.join)
        undo.callback(stop.set)
        sender.start()

    def _send(self, url: str, stop: threading.Event, counted: list[int]) -> None:
        rng = random.Random()
        methods = [junk_method(rng) for _ in range(self.requests)]
        lock = threading.Lock()

        def one(client: httpx.Client, method: str) -> None:
            if stop.is_set():
                return
            try:
                client.request(method, url)
            except httpx.HTTPError:
                return  # a connection the service closed: not answered
            with lock:
                counted[0] += 1

        with httpx.Client(timeout=5.0) as client, ThreadPoolExecutor(_SENDERS) as pool:
            for method in methods:
                pool.submit(one, client, method)

    def _settle(self, counted: list[int]) -> None:
        self._answered = counted[0]

    def evidence(self) -> tuple[bool, str] | None:
        if self._answered is None:
            return None
        if self._answered < MIN_ANSWERED:
            return False, (
                f"only {self._answered} requests with a made-up method were answered "
                f"(fewer than {MIN_ANSWERED}: too few to tell a bounded label set)"
            )
        return True, f"{self._answered} of {self.requests} made-up methods answered"


@register_fault
class SlowClientsFault(Fault):
    """`connections` connections to the service's port (unauthenticated), opened at an
    even pace over `open_seconds`, never faster than `MAX_OPEN_PER_SECOND` (injection ends
    when the last is open), and held until rollback, each misbehaving in one of `manners`
    in turn; a trickling one sends a byte every `interval_seconds`. A connection the
    service closes is not reopened. Rollback closes every one of them (a reset, on every
    way out).

    The harness raises its own soft descriptor limit for them (past the hard limit only
    where it may). When it still cannot open as many as asked, it holds what it could and
    `evidence` says the fault did not land: the scenario is inconclusive, never passed on
    fewer connections than it states. `evidence`: every connection asked for was opened."""

    kind: Literal["slow_clients"] = "slow_clients"
    connections: int = Field(default=2000, ge=1, le=20_000)
    manners: tuple[Manner, ...] = Field(default=("idle", "headers", "body"), min_length=1)
    open_seconds: float = Field(default=4.0, ge=0.0, le=60.0)
    interval_seconds: float = Field(default=3.0, ge=0.1, le=60.0)
    _counts: HeldCounts | None = PrivateAttr(default=None)

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        address = urlsplit(target.service_url)
        self._counts = None
        headroom = undo.enter_context(descriptor_headroom(self.connections))
        holder = HeldConnections(
            (address.hostname or "127.0.0.1", address.port or 80),
            min(self.connections, headroom),
            tuple(dict.fromkeys(self.manners)),
            open_per_second=self._pace(),
            interval_seconds=self.interval_seconds,
        )
        undo.callback(self._settle, holder)
        holder.start()
        # Injected once all are open: a phase judged before then would judge fewer.
        holder.wait_opened()

    def _pace(self) -> float:
        """Connections opened per second."""
        wanted = self.connections / self.open_seconds if self.open_seconds else math.inf
        return min(wanted, MAX_OPEN_PER_SECOND)

    def _settle(self, holder: HeldConnections) -> None:
        counts = holder.close()
        self._counts = HeldCounts(
            self.connections,
            counts.opened,
            counts.short + self.connections - counts.asked,
            counts.closed_by_service,
            counts.held_at_end,
        )

    @property
    def counts(self) -> HeldCounts | None:
        """What became of the connections, once rolled back."""
        return self._counts

    def evidence(self) -> tuple[bool, str] | None:
        counts = self._counts
        if counts is None:
            return None
        said = (
            f"{counts.opened} of {counts.asked} slow connections opened, "
            f"{counts.closed_by_service} closed by the service, "
            f"{counts.held_at_end} held to the end"
        )
        if counts.opened < counts.asked:
            return False, f"{said}: the harness could not open the rest (descriptors or ports)"
        return True, said
