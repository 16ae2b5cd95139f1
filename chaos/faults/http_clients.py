"""Faults of the service's own front door: callers that are no callers at all.

`junk_methods` sends requests with made-up HTTP methods, each one new, without a key: a
service that turns the method into a metric label grows one time series per method, and
its `/metrics` with it (20,000 of them once made it 35 MiB, and one scrape froze request
handling for seconds). Expected: each is refused (404, 405, 501...), the label set stays
bounded, and the tenants' own requests are untouched.
"""

from __future__ import annotations

import random
import string
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Literal

import httpx
from pydantic import Field, PrivateAttr

from .base import Fault, register_fault
from .target import FaultTarget

_SENDERS = 8  # concurrent connections sending the junk
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
