"""A deadline that holds even when a cancelled call's cleanup does not.

Cancelling a task normally means waiting for its cleanup, and some cleanups are slow:
psycopg, cancelled on a stalled connection, spends 6–11 s on protocol-level cancel
before it lets go (see FIELD-NOTES). So the work runs in its own task, and at the
deadline we cancel it, give it a short grace period, and if it is still busy hand it
to `LingeringTasks`, which the orchestrator awaits on `aclose()`. The caller gets its
answer at the deadline; nothing is fire-and-forget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

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
        _consume_outcome(task)


async def run_within_deadline(
    work: Coroutine[Any, Any, T],
    deadline_at: float,
    *,
    grace_seconds: float,
    lingering: LingeringTasks,
) -> T:
    """Run `work` in its own task; its result, its exception, or `TimeoutError` at the deadline."""
    task = asyncio.create_task(work)
    if not await wait_within_deadline(
        task, deadline_at, grace_seconds=grace_seconds, lingering=lingering
    ):
        raise TimeoutError
    return task.result()


async def wait_within_deadline(
    task: asyncio.Task[Any],
    deadline_at: float,
    *,
    grace_seconds: float,
    lingering: LingeringTasks,
) -> bool:
    """Wait for `task` to end, until the loop time `deadline_at`.

    True when it ended in time (read its outcome from the task). False when the deadline
    came first: the task is then cancelled, and this returns at most `grace_seconds`
    later however long its cleanup takes. Cancellation from outside does the same,
    then propagates.
    """
    try:
        async with asyncio.timeout_at(deadline_at):
            # asyncio.wait never cancels what it waits for, so our own cancellation
            # returns at once instead of waiting for the task's cleanup.
            await asyncio.wait([task])
        return True
    except TimeoutError:
        await abandon([task], grace_seconds, lingering)
        return False
    except BaseException:
        await abandon([task], grace_seconds, lingering)
        raise


async def abandon(
    tasks: Iterable[asyncio.Task[Any]],
    grace_seconds: float,
    lingering: LingeringTasks,
) -> None:
    """Cancel `tasks`, wait up to `grace_seconds` for them, then leave the rest to `lingering`."""
    tasks = [task for task in tasks if not task.done()]
    for task in tasks:
        task.cancel()
    try:
        if tasks:
            await asyncio.wait(tasks, timeout=grace_seconds)
    finally:
        for task in tasks:
            if task.done():
                _consume_outcome(task)
            else:
                lingering.adopt(task)


def _consume_outcome(task: asyncio.Task[Any]) -> None:
    # The caller already has its answer; reading the outcome keeps asyncio from
    # logging "exception was never retrieved" for work nobody waits for any more.
    if not task.cancelled():
        task.exception()
