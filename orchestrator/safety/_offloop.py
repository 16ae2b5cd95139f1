"""Validation off the event loop, in worker processes, under a per-query time budget.

Parsing is pure CPU: a 16 KiB `SELECT 1+1+...` still costs about a second, and on the
event loop that stalls every other request (a 60 KB one stalled /healthz for 6 to 9 s).
A thread would free the loop but could not be stopped, so each validation runs in one of
a few worker processes instead; a worker that has not answered within the budget is
killed and replaced, and the query is refused as `too_complex`. Each worker judges one
query at a time, so the wall-clock budget is, in effect, a CPU budget.

    pool = ValidatorPool(workers=2, budget_seconds=1.0, tenant_share=0.5)
    verdict = await pool.validate(sql, max_rows=1000, tenant_id="acme")
    await pool.aclose()

Fairness: the workers are shared by every tenant, so one tenant may hold at most
`tenant_share` of them at once (rounded up, at least one); its further queries wait for
one of its own turns, never for a worker another tenant needs. Without it, one tenant's
expensive queries (16 KiB that take a worker its whole budget) held every worker, and
the others' queries queued behind them (a victim's p50 went from 8 ms to 324 ms).

The parent waits for a worker's answer in a thread (`asyncio.to_thread`), never on the
loop. If the caller is cancelled (its deadline passed), the worker is killed at once.
While a worker is still starting, a short query (up to 2 KiB) is validated in a thread
instead, so an ordinary request never waits for a cold start; that path cannot be
interrupted, so a longer query waits for the worker instead.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import math
import os
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._result import QueryValidation, Violation
from ._validator import validate_direct_query

DEFAULT_WORKERS = 2
DEFAULT_BUDGET_SECONDS = 1.0  # a typical query takes milliseconds; room for a busy machine
_STARTUP_SECONDS = 60.0  # a cold worker imports sqlglot; generous for a loaded machine
_STARTUP_POLL_SECONDS = 0.02
# While a worker starts, a query this short is validated in a thread of this process; it
# costs milliseconds. A longer one may cost seconds of uninterruptible CPU, so it waits.
IN_THREAD_MAX_CHARS = 2048
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding `orchestrator`
# Validation is untrusted work on the side: a worker yields the CPU to the service itself,
# so a tenant's costly query (seconds of parsing, then a fresh worker's imports) slows
# the validations alone, never the event loop that answers the other tenants. Niced before
# anything is imported, since a cold start (importing sqlglot) costs as much as a query.
WORKER_NICENESS = 10
_WORKER_MAIN = (
    f"import os; os.nice({WORKER_NICENESS}); import runpy; "
    "runpy.run_module('orchestrator.safety._worker', run_name='__main__', alter_sys=True)"
)


# Every worker process still running. A pool whose owner was interrupted before it could
# close it (a signal during start-up) must not leave processes behind when this one exits:
# a worker still importing sqlglot would outlive it by seconds.
_RUNNING: set[subprocess.Popen[bytes]] = set()
_RUNNING_LOCK = threading.Lock()


@atexit.register
def _kill_leftover_workers() -> None:
    with _RUNNING_LOCK:
        leftover = list(_RUNNING)
    for process in leftover:
        process.kill()
        process.wait()


class _Worker:
    """One worker process and its pipes. Used by one thread at a time."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_MAIN],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        with _RUNNING_LOCK:
            _RUNNING.add(self._process)
        self._pending = b""
        self._ready = False

    def ready(self, wait_seconds: float = 0.0) -> bool:
        """Has the worker finished starting? Waits at most `wait_seconds` for it."""
        if not self._ready and self.alive and self._read_line(wait_seconds) == b"ready":
            self._ready = True
        return self._ready

    def ask(self, query: str, options: dict[str, Any], budget_seconds: float) -> QueryValidation:
        """Blocking: the verdict, or a refusal if the budget ran out (the worker is killed)."""
        if not self.ready(_STARTUP_SECONDS):
            self.kill()
            return _refused("validator_failed", "the query analyser did not start")
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps({"query": query, "options": options}).encode())
            self._process.stdin.write(b"\n")
            self._process.stdin.flush()
        except OSError:
            self.kill()
            return _refused("validator_failed", "the query analyser stopped; the query was not run")
        line = self._read_line(budget_seconds)
        if line is None:
            self.kill()
            return _refused(
                "too_complex",
                f"the query could not be analysed within its budget of {budget_seconds:g} s",
            )
        answer = json.loads(line)
        return QueryValidation(
            is_safe=answer["is_safe"],
            violations=tuple(Violation(code, message) for code, message in answer["violations"]),
            sql=answer["sql"],
        )

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def interrupt(self) -> None:
        """From another thread: stop the process. The thread reading its pipe sees the end
        and closes the pipes itself, so a file descriptor is never closed under a reader."""
        if self.alive:
            self._process.kill()

    def kill(self) -> None:
        """From the thread that uses the worker: stop the process and close its pipes."""
        if self.alive:
            self._process.kill()
        self._process.wait()
        with _RUNNING_LOCK:
            _RUNNING.discard(self._process)
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()

    def _read_line(self, timeout: float) -> bytes | None:
        """The next line, or None if none came in time (or the process ended)."""
        stdout = self._process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in self._pending:
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    return None
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    return None
                self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line


def _refused(code: str, message: str) -> QueryValidation:
    return QueryValidation.refused(Violation(code, message))


@dataclass(frozen=True)
class ValidatorPoolStatistics:
    """What the pool has done: validations answered, and workers killed (and why)."""

    workers: int
    budget_seconds: float
    validations: int
    over_budget: int  # refused as too_complex, worker killed
    cancelled: int  # the caller gave up first (its deadline), worker killed
    in_thread: int = 0  # short queries validated in this process while a worker started


class ValidatorPool:
    """A few validator processes; `validate` waits for a free one (at most `workers` at once)."""

    def __init__(
        self,
        workers: int = DEFAULT_WORKERS,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
        tenant_share: float = 1.0,
    ) -> None:
        if workers < 1 or budget_seconds <= 0 or not 0 < tenant_share <= 1:
            raise ValueError("workers must be >= 1, budget_seconds > 0, tenant_share in (0, 1]")
        self.budget_seconds = budget_seconds
        self.tenant_workers = max(1, math.ceil(workers * tenant_share))
        self._tenant_turns: dict[str, asyncio.Semaphore] = {}
        self._lock = threading.Lock()  # guards _idle across the loop and closing
        self._idle: list[_Worker] = [_Worker() for _ in range(workers)]  # start warming now
        self._slots = asyncio.Semaphore(workers)
        self._closed = False
        self._counts = {"validations": 0, "over_budget": 0, "cancelled": 0, "in_thread": 0}
        self._workers = workers

    def statistics(self) -> ValidatorPoolStatistics:
        return ValidatorPoolStatistics(
            workers=self._workers, budget_seconds=self.budget_seconds, **self._counts
        )

    async def validate(self, query: str, **options: Any) -> QueryValidation:
        """The verdict on `query`; `options` go to the validator (its `tenant_id` is also
        whose share of the workers the query takes)."""
        if self._closed:
            raise RuntimeError("the validator pool is closed")
        async with self._tenant_turn(options.get("tenant_id")):
            return await self._validate_in_slot(query, options)

    def _tenant_turn(self, tenant_id: str | None) -> asyncio.Semaphore:
        """The tenant's own share of the workers: held before a shared slot is asked for,
        so a tenant over its share waits on itself alone."""
        key = tenant_id or ""
        turn = self._tenant_turns.get(key)
        if turn is None:
            turn = self._tenant_turns[key] = asyncio.Semaphore(self.tenant_workers)
        return turn

    async def _validate_in_slot(self, query: str, options: dict[str, Any]) -> QueryValidation:
        async with self._slots:
            worker = self._take()
            if not worker.ready() and len(query) <= IN_THREAD_MAX_CHARS:
                # Still starting (just after launch, or replacing a killed one; a cold start
                # takes seconds on a busy machine). A short query is validated in a thread
                # meanwhile: off the loop, not interruptible, but cheap by its size.
                self._give_back(worker)
                self._counts["validations"] += 1
                self._counts["in_thread"] += 1
                return await asyncio.to_thread(validate_direct_query, query, **options)
            if not await self._started(worker):
                return _refused("validator_failed", "the query analyser did not start")
            try:
                verdict = await asyncio.to_thread(worker.ask, query, options, self.budget_seconds)
            except BaseException:
                # Cancelled (deadline) or broken: the worker may be mid-query; never reuse it.
                worker.interrupt()
                self._replace()
                self._counts["cancelled"] += 1
                raise
            self._counts["validations"] += 1
            self._counts["over_budget"] += "too_complex" in verdict.codes and not worker.alive
            if worker.alive:
                self._give_back(worker)
            else:
                self._replace()
            return verdict

    async def wait_ready(self) -> None:
        """Wait until the idle workers have started (e.g. before serving, or in tests)."""
        with self._lock:
            workers = list(self._idle)
        for worker in workers:
            await asyncio.to_thread(worker.ready, _STARTUP_SECONDS)

    async def aclose(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            await asyncio.to_thread(worker.kill)

    async def _started(self, worker: _Worker) -> bool:
        """Wait (on the loop, so the caller's deadline can end it) for a worker to start.
        A long query waits rather than run in this process, where it could not be stopped
        and would hold the interpreter for seconds."""
        deadline = time.monotonic() + _STARTUP_SECONDS
        try:
            while not worker.ready():
                if not worker.alive or time.monotonic() > deadline:
                    worker.kill()
                    self._replace()
                    return False
                await asyncio.sleep(_STARTUP_POLL_SECONDS)
        except BaseException:
            self._give_back(worker)  # never asked anything: whole, reusable
            raise
        return True

    def _take(self) -> _Worker:
        """An idle worker, a started one first (a cold one keeps warming for later)."""
        with self._lock:
            for index, worker in enumerate(self._idle):
                if worker.ready():
                    return self._idle.pop(index)
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
