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
from collections.abc import Coroutine
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
    work: Coroutine[Any, Any, T], deadline_at: float, *, grace_seconds: float,
    lingering: LingeringTasks,
) -> T:
    """Await `work` until the loop time `deadline_at`; raise `TimeoutError` after it.

    The error is raised at most `grace_seconds` after the deadline, however long the
    work's cleanup takes. Cancellation from outside behaves the same way and propagates.
    """
    task = asyncio.create_task(work)
    try:
        async with asyncio.timeout_at(deadline_at):
            # shield: our own cancellation must not wait for the work's cleanup.
            return await asyncio.shield(task)
    except BaseException:
        if not task.done():
            await _abandon(task, grace_seconds, lingering)
        raise


async def _abandon(task: asyncio.Task[Any], grace_seconds: float, lingering: LingeringTasks) -> None:
    task.cancel()
    try:
        await asyncio.wait({task}, timeout=grace_seconds)
    finally:
        if task.done():
            _consume_outcome(task)
        else:
            lingering.adopt(task)


def _consume_outcome(task: asyncio.Task[Any]) -> None:
    # The caller already has its answer; reading the outcome keeps asyncio from
    # logging "exception was never retrieved" for work nobody waits for any more.
    if not task.cancelled():
        task.exception()
