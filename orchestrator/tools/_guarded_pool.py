"""A connection pool whose calls answer by their deadline, even on a stalled connection.

THE DEADLINE TRAP: when the peer stops answering but keeps the socket open,
cancelling a task awaiting psycopg makes psycopg send a protocol cancel and wait again,
6–11 s in all. So the work runs in its own task; at the deadline (or when we are cancelled)
we shut the connection's socket down. libpq then sees end-of-file at once, the work fails
fast, and the pool, finding the connection broken, discards it instead of lending it out
again. A task still busy after a short grace is cancelled and handed to the lingering
registry its owner gave it (the orchestrator's, shared), which is awaited on close:
nothing is fire-and-forget, and no caller waits for it.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import select
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ..deadline import LingeringTasks, consume_outcome

T = TypeVar("T")
SEVER_GRACE_SECONDS = 0.25
RECONNECT_TIMEOUT_SECONDS = 2.0
CONNECTION_WAIT_HEADROOM_SECONDS = 0.05
RESET_TIMEOUT_SECONDS = 2.0
# The connection the current work is using, also while the pool health-checks it.
_in_use: contextvars.ContextVar[list[psycopg.AsyncConnection[Any]]] = contextvars.ContextVar(
    "gauntlet_connection_in_use"
)


class GuardedPool:
    def __init__(
        self,
        dsn: str,
        *,
        max_size: int,
        connect_timeout: float = 3.0,
        name: str = "pool",
        lingering: LingeringTasks,
        close_timeout_seconds: float = 2.0,
        reset_sessions: bool = True,
    ) -> None:
        """`lingering`: where abandoned work goes, the registry of the orchestrator that owns
        the pool; `close_timeout_seconds`: how long `aclose()` lets
        borrowed connections come back; `reset_sessions`: DISCARD ALL on every return,
        for pools whose connections run SQL that could leave session state behind (the
        pool rolls back an unfinished transaction either way)."""
        self._pool: AsyncConnectionPool = AsyncConnectionPool(
            dsn,
            open=False,
            min_size=1,
            max_size=max_size,
            name=name,
            # A short reconnect_timeout: the pool's backoff gives up soon during an outage,
            # so the first call after the server returns starts a fresh, immediate attempt
            # instead of waiting out a long exponential delay.
            check=_check_and_track,
            reset=_reset_session if reset_sessions else None,
            reconnect_timeout=RECONNECT_TIMEOUT_SECONDS,
            # Server-side prepared statements (psycopg's default: a statement run five
            # times is prepared, and no longer parsed and planned on every call) only
            # where sessions are not reset: DISCARD ALL drops them on the server while
            # psycopg's cache would still name them ("prepared statement _pg3_0 does not
            # exist" on the next borrower). Autocommit: the tools send their own BEGIN
            # and COMMIT (`_tenant_tx.py`), where psycopg's implicit BEGIN would cost a
            # round trip of its own.
            kwargs={
                "connect_timeout": max(1, round(connect_timeout)),
                "autocommit": True,
                **({"prepare_threshold": None} if reset_sessions else {}),
            },
        )
        self._opened = False
        self._lingering = lingering
        self._close_timeout_seconds = close_timeout_seconds

    async def run(
        self, budget_seconds: float, work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]
    ) -> T:
        """`work(conn)` within `budget_seconds`, or right after it `TimeoutError` (a slow
        call) or `PoolTimeout` (no connection was lent in time)."""
        if not self._opened:
            # wait=False: a database that is down at startup must not block; the pool
            # keeps trying in the background and lends connections once it can.
            await self._pool.open(wait=False)
            self._opened = True
        tracked: list[psycopg.AsyncConnection[Any]] = []
        lent = asyncio.Event()
        token = _in_use.set(tracked)
        try:
            task = asyncio.create_task(self._acquire_and_run(budget_seconds, work, tracked, lent))
        finally:
            _in_use.reset(token)
        try:
            async with asyncio.timeout(budget_seconds):
                return await asyncio.shield(task)
        except BaseException as exc:
            if not task.done():
                await self._sever(task, tracked)
            elif not task.cancelled():
                task.exception()  # retrieved: the caller gets the deadline, not this
            if isinstance(exc, TimeoutError) and not lent.is_set():
                # Still waiting for a connection at the deadline: the server is unreachable
                # (or every connection busy), the same news as the pool's own wait, which
                # ends just before the deadline to say so. On a loaded loop both timers
                # come due in one turn and the deadline's could win the race.
                raise PoolTimeout(f"no connection within {budget_seconds:.2f}s") from exc
            raise

    async def _acquire_and_run(
        self,
        budget_seconds: float,
        work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]],
        tracked: list[psycopg.AsyncConnection[Any]],
        lent: asyncio.Event,
    ) -> T:
        # Give up waiting for a connection just before the deadline, so "no connection"
        # (PoolTimeout: the server is unreachable) is told apart from a slow query.
        wait = max(0.01, budget_seconds - CONNECTION_WAIT_HEADROOM_SECONDS)
        async with self._pool.connection(timeout=wait) as conn:
            lent.set()
            tracked.append(conn)
            return await work(conn)

    async def _sever(
        self, task: asyncio.Task[Any], tracked: list[psycopg.AsyncConnection[Any]]
    ) -> None:
        for conn in tracked:
            _shutdown_socket(conn)
        done, _ = await asyncio.wait({task}, timeout=SEVER_GRACE_SECONDS)
        if not done:
            task.cancel()
            self._lingering.adopt(task)
        else:
            consume_outcome(task)

    def statistics(self) -> dict[str, int]:
        return {**self._pool.get_stats(), "lingering": len(self._lingering)}

    async def aclose(self, lingering_timeout_seconds: float | None = None) -> None:
        """Wait for abandoned work (severed, so it ends soon), then close the pool."""
        await self._lingering.aclose(lingering_timeout_seconds)
        if self._opened:
            await self._pool.close(timeout=self._close_timeout_seconds)
            self._opened = False


async def _check_and_track(conn: psycopg.AsyncConnection[Any]) -> None:
    """The pool's check on every borrow, without a round trip when there is no news.

    An idle, healthy connection has nothing to read: the server speaks unprompted only to
    say it is going away (a FATAL before a shutdown, then end-of-file). So a connection
    whose socket is quiet is lent at once; only one with something to read gets the full
    check, which fails on a dead connection, and the pool discards it. (A peer that went
    silent without a word passes either check; the deadline and the severed socket deal
    with it.)
    """
    if conn.closed or conn.pgconn.status != psycopg.pq.ConnStatus.OK:
        raise psycopg.OperationalError("the connection is closed")
    if not _has_unread_data(conn.pgconn.socket):
        return
    tracked = _in_use.get(None)
    if tracked is not None:
        tracked.append(conn)  # a stalled health check must be severable too
    await AsyncConnectionPool.check_connection(conn)


def _has_unread_data(fd: int) -> bool:
    """Is `fd` readable (data or end-of-file) right now? Never waits."""
    poller = select.poll()  # not select.select: it cannot watch descriptors above 1023
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


async def _reset_session(conn: psycopg.AsyncConnection[Any]) -> None:
    """Hand the next borrower a clean session: whatever a caller's SQL left on this one
    (session advisory locks, which outlive a rollback; settings; prepared statements;
    LISTEN) is dropped. If it fails, the pool discards the connection.

    The pool runs this in one of its few worker tasks, after the caller has its answer.
    A stalled connection must not hold that worker, and cancelling psycopg would meet
    the deadline trap, so past RESET_TIMEOUT_SECONDS the socket is shut down instead.
    """
    discard = asyncio.create_task(_discard_all(conn))
    done, _ = await asyncio.wait({discard}, timeout=RESET_TIMEOUT_SECONDS)
    if not done:
        _shutdown_socket(conn)  # the task now fails at once, and the pool discards conn
    await discard


async def _discard_all(conn: psycopg.AsyncConnection[Any]) -> None:
    # DISCARD ALL cannot run inside a transaction block: the pool's connections are in
    # autocommit mode, and the pool has rolled back an unfinished transaction already.
    await conn.execute("DISCARD ALL")


def _shutdown_socket(conn: psycopg.AsyncConnection[Any]) -> None:
    """End the TCP connection under libpq without closing its file descriptor.

    Closing the descriptor while the event loop watches it would be unsafe; a shutdown
    makes it readable with end-of-file, which libpq reports as a lost connection.
    """
    try:
        fd = conn.pgconn.socket
    except psycopg.OperationalError:
        return  # already closed
    if fd < 0:
        return
    # The socket object owns the duplicate and closes only it; libpq's descriptor stays.
    with socket.socket(fileno=os.dup(fd)) as duplicate:
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
