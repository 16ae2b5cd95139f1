"""Validation off the event loop, in worker processes, under a per-query time budget.

Parsing is pure CPU: a 16 KiB `SELECT 1+1+...` still costs about a second, and on the
event loop that stalls every other request (a 60 KB one stalled /healthz for 6 to 9 s).
A thread would free the loop but could not be stopped, so each validation runs in one of
a few worker processes instead; a worker that has not answered within the budget is
killed and replaced, and the query is refused as `too_complex`. Each worker judges one
query at a time, so the wall-clock budget is, in effect, a CPU budget.

    pool = ValidatorPool(workers=2, budget_seconds=0.5)
    verdict = await pool.validate(sql, max_rows=1000, tenant_id="acme")
    await pool.aclose()

The parent waits for a worker's answer in a thread (`asyncio.to_thread`), never on the
loop. If the caller is cancelled (its deadline passed), the worker is killed at once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import threading
from typing import Any

from ._result import QueryValidation, Violation

DEFAULT_WORKERS = 2
DEFAULT_BUDGET_SECONDS = 0.5  # a typical query takes milliseconds; the corpus' largest, ~50 ms
_STARTUP_SECONDS = 60.0  # a cold worker imports sqlglot; generous for a loaded machine
_CONTEXT = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded parent


def _serve(conn: multiprocessing.connection.Connection) -> None:
    """Worker process: answer validations until the pipe closes."""
    from ._validator import validate_direct_query

    conn.send("ready")
    while True:
        try:
            query, options = conn.recv()
        except EOFError:
            return
        conn.send(validate_direct_query(query, **options))


class _Worker:
    """One worker process and its pipe. Used by one thread at a time."""

    def __init__(self) -> None:
        self._conn, child = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._ready = False

    def ask(self, query: str, options: dict[str, Any], budget_seconds: float) -> QueryValidation:
        """Blocking: the verdict, or a refusal if the budget ran out (the worker is killed)."""
        if not self._ready:
            if not self._conn.poll(_STARTUP_SECONDS) or self._conn.recv() != "ready":
                raise RuntimeError("the validator worker did not start")
            self._ready = True
        self._conn.send((query, options))
        if not self._conn.poll(budget_seconds):
            self.kill()
            return QueryValidation.refused(
                Violation(
                    "too_complex",
                    f"the query could not be analysed within its budget of {budget_seconds:g} s",
                )
            )
        try:
            return self._conn.recv()
        except (EOFError, OSError):  # the worker died mid-query (it is never trusted then)
            self.kill()
            return QueryValidation.refused(
                Violation("validator_failed", "the query analysis failed; it was not run")
            )

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def kill(self) -> None:
        """Stop the process. The pipe is left to the thread that may still be polling it."""
        self._process.kill()
        self._process.join()


class ValidatorPool:
    """A few validator processes; `validate` waits for a free one (at most `workers` at once)."""

    def __init__(
        self,
        workers: int = DEFAULT_WORKERS,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    ) -> None:
        if workers < 1 or budget_seconds <= 0:
            raise ValueError("workers must be >= 1 and budget_seconds > 0")
        self.budget_seconds = budget_seconds
        self._lock = threading.Lock()  # guards _idle across the loop and worker threads
        self._idle: list[_Worker] = [_Worker() for _ in range(workers)]  # start warming now
        self._slots = asyncio.Semaphore(workers)
        self._closed = False

    async def validate(self, query: str, **options: Any) -> QueryValidation:
        if self._closed:
            raise RuntimeError("the validator pool is closed")
        async with self._slots:
            worker = self._take()
            try:
                verdict = await asyncio.to_thread(worker.ask, query, options, self.budget_seconds)
            except BaseException:
                # Cancelled (deadline) or broken: the worker may be mid-query; never reuse it.
                worker.kill()
                self._replace()
                raise
            if worker.alive:
                self._give_back(worker)
            else:
                self._replace()
            return verdict

    async def aclose(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            await asyncio.to_thread(worker.kill)

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker()  # only if a replacement could not be started earlier

    def _replace(self) -> None:
        # Start the successor of a killed worker now, so it warms up before it is needed.
        if not self._closed:
            self._give_back(_Worker())

    def _give_back(self, worker: _Worker) -> None:
        if self._closed:
            worker.kill()
            return
        with self._lock:
            self._idle.append(worker)
