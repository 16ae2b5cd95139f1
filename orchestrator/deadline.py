"""A deadline that holds even when a cancelled call's cleanup does not.

Cancelling a task normally means waiting for its cleanup, and some cleanups are slow:
psycopg, cancelled on a stalled connection (the peer silent, the socket open), sends a
protocol-level cancel and waits again, 6–11 s in all before it lets go. So the work runs
in its own task, and at the deadline we cancel it, give it a short grace period, and if
it is still busy hand it to `LingeringTasks`. The caller gets its answer at the deadline.

There is one `LingeringTasks` per orchestrator, injected into whatever abandons work (the
call policy, the tools' connection pools). Its owner awaits it on close: every task is
either awaited by whoever started it or adopted here, so nothing is fire-and-forget and
every outcome is retrieved.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Coroutine, Iterable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class LingeringTasks:
    """Cancelled tasks still finishing their cleanup; tracked until they end."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def adopt(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._forget)

    def __len__(self) -> int:
        return len(self._tasks)

    async def aclose(self, timeout_seconds: float | None = None) -> int:
        """Wait for every lingering task to end; returns how many were still running."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_seconds)
        return len(self._tasks)

    def _forget(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        consume_outcome(task)


class RunningWork(Generic[T]):
    """Work started at once in a task of its own, to be waited for within a deadline.

    Starting and waiting are apart so that a stage can start every call's work, give it
    one loop turn, and wait only for what has not answered by then."""

    __slots__ = ("task", "_woken")

    def __init__(self, work: Coroutine[Any, Any, T]) -> None:
        # Woken by whichever comes first, the work's end or the deadline; made only when
        # someone waits (most work has ended by then). Awaiting the task itself would
        # forward our cancellation to it and then wait out its cleanup.
        self._woken: asyncio.Future[None] | None = None
        self.task = asyncio.get_running_loop().create_task(self._waking(work))

    async def _waking(self, work: Coroutine[Any, Any, T]) -> T:
        # The work wakes its waiter from its own last step rather than from a done callback:
        # one loop turn less per call. Its body always runs: the task's first step is queued
        # before anything that could end the wait, so `work` starts before it can be abandoned.
        try:
            return await work
        finally:
            if self._woken is not None:
                _wake(self._woken)

    async def wait(
        self, deadline_at: float, *, grace_seconds: float, lingering: LingeringTasks
    ) -> asyncio.Task[T] | None:
        """Wait for the work until the loop time `deadline_at`.

        Returns the task once it has ended in time (read its outcome from it), or None when
        the deadline came first: the task is then cancelled, and this returns at most
        `grace_seconds` later however long its cleanup takes. Cancellation from outside does
        the same, then propagates.
        """
        task = self.task
        try:
            if not task.done():
                loop = asyncio.get_running_loop()
                self._woken = woken = loop.create_future()
                timer = loop.call_at(deadline_at, _wake, woken) if deadline_at < math.inf else None
                try:
                    await woken
                finally:
                    if timer is not None:
                        timer.cancel()
        except BaseException:
            await abandon([task], grace_seconds, lingering)
            raise
        if task.done():
            return task
        await abandon([task], grace_seconds, lingering)
        return None


async def run_within_deadline(
    work: Coroutine[Any, Any, T],
    deadline_at: float,
    *,
    grace_seconds: float,
    lingering: LingeringTasks,
) -> asyncio.Task[T] | None:
    """Run `work` in a task of its own until the loop time `deadline_at`: `RunningWork`
    started and waited for at once (see its `wait`)."""
    running = RunningWork(work)
    try:
        # One loop turn first: work that answers at once (a cache, a tool with nothing to
        # wait for) is done by then and needs no timer.
        await asyncio.sleep(0)
    except BaseException:
        await abandon([running.task], grace_seconds, lingering)
        raise
    return await running.wait(deadline_at, grace_seconds=grace_seconds, lingering=lingering)


def _wake(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)


async def abandon(
    tasks: Iterable[asyncio.Task[Any]],
    grace_seconds: float,
    lingering: LingeringTasks,
) -> None:
    """Cancel `tasks`, wait up to `grace_seconds` for them, then leave the rest to `lingering`."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()  # a no-op on a task already done
    try:
        if tasks:
            await asyncio.wait(tasks, timeout=grace_seconds)
    finally:
        for task in tasks:
            if task.done():
                consume_outcome(task)
            else:
                lingering.adopt(task)


def consume_outcome(task: asyncio.Task[Any]) -> None:
    """Retrieve a finished task's outcome that nobody waits for any more, so asyncio has
    no "exception was never retrieved" to log."""
    if not task.cancelled():
        task.exception()
