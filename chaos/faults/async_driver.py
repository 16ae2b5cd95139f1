"""`applied(fault, target)`: the async form of `fault.apply(target)`.

Injecting and rolling back block (HTTP to Toxiproxy, `pg_ctl`, hundreds of connects),
so both run in a worker thread and the event loop keeps serving. A thread cannot be
interrupted, so a cancellation that arrives meanwhile is held until the step finishes,
then re-raised: an injection that completes after a cancel is still rolled back, and a
rollback is never abandoned halfway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import ExitStack, asynccontextmanager
from typing import TypeVar

from .base import Fault
from .target import FaultTarget

_T = TypeVar("_T")


@asynccontextmanager
async def applied(fault: Fault, target: FaultTarget) -> AsyncIterator[None]:
    """Hold `fault` for the duration of the `async with` block, then always roll back."""
    undo = ExitStack()
    try:
        await _run_to_completion(asyncio.to_thread(fault.inject_or_explain, target, undo))
        yield
    finally:
        await _run_to_completion(asyncio.to_thread(fault.roll_back, undo))


async def _run_to_completion(work: Awaitable[_T]) -> _T:
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True  # re-raised below, once the step has finished
    result = task.result()
    if cancelled:
        raise asyncio.CancelledError
    return result
