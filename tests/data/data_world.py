"""Helpers for the data-layer tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg

from chaos import free_loopback_port
from orchestrator.tool import CallContext
from orchestrator.tools import GuardedPool


def proxy_to(toxiproxy_url: str, name: str, upstream_port: int) -> int:
    """Create a proxy to 127.0.0.1:`upstream_port`; returns its listening port."""
    port = free_loopback_port()
    response = httpx.post(
        f"{toxiproxy_url}/proxies",
        content=json.dumps(
            {
                "name": name,
                "listen": f"127.0.0.1:{port}",
                "upstream": f"127.0.0.1:{upstream_port}",
                "enabled": True,
            }
        ),
    )
    response.raise_for_status()
    return port


@dataclass(frozen=True)
class FreshBudgetContext(CallContext):
    """A context that gives every call it serves the same budget, as if each were the
    first attempt of its own request: these tests reuse one context across calls."""

    fresh_budget_seconds: float = 3.0

    @property
    def budget_seconds(self) -> float:
        return self.fresh_budget_seconds


def call_context(
    tenant_id: str,
    *,
    request_id: str = "req-1",
    budget_seconds: float = 3.0,
    dependency_outputs: dict | None = None,
) -> CallContext:
    return FreshBudgetContext(
        request_id=request_id,
        tenant_id=tenant_id,
        authenticated=True,
        call_id="call",
        dependency_outputs=dependency_outputs or {},
        fresh_budget_seconds=budget_seconds,
    )


class TracedPool:
    """A `GuardedPool` whose every call is traced by libpq: one list of messages per call."""

    def __init__(self, pool: GuardedPool) -> None:
        self._pool = pool
        self.calls: list[list[str]] = []

    async def run(
        self, budget_seconds: float, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[Any]]
    ) -> Any:
        async def traced(conn: psycopg.AsyncConnection[Any]) -> Any:
            with tempfile.TemporaryFile("w+") as log:
                conn.pgconn.trace(log.fileno())
                conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
                try:
                    return await work(conn)
                finally:
                    conn.pgconn.untrace()  # flushes the log
                    log.seek(0)
                    # one message a line, but a statement may span several
                    self.calls.append(re.split(r"\n(?=[FB]\t)", log.read().strip()))

        return await self._pool.run(budget_seconds, traced)

    async def aclose(self) -> None:
        await self._pool.aclose()


def round_trips(messages: list[str]) -> int:
    """How many times the client sent something and then waited for an answer: libpq logs
    the client's messages as it sends them and the server's as they arrive, so each run
    of client messages is one."""
    sides = [line[0] for line in messages if line[:1] in ("F", "B")]
    return sum(side == "F" and (n == 0 or sides[n - 1] == "B") for n, side in enumerate(sides))


def statements_sent(messages: list[str]) -> list[str]:
    """The SQL the client sent, in order (simple and extended protocol alike)."""
    sent = []
    for line in messages:
        side, _, kind, *rest = line.split("\t")
        if side == "F" and kind in _STATEMENT_TEXT:
            text = _STATEMENT_TEXT[kind].fullmatch(rest[0].strip())
            assert text is not None, line
            sent += text.group(1).split("; ")
    return sent


# How libpq's trace shows a statement: Query "<sql>", Parse "<name>" "<sql>" <n> <types>
_STATEMENT_TEXT = {
    "Query": re.compile(r'"(.*)"', re.DOTALL),
    "Parse": re.compile(r'"[^"]*" "(.*)" \d+( .*)?', re.DOTALL),
}
