"""How long the harness's own event loop could not run: time a deadline check must not
blame on the system under test.

An answer is timed from the send to the moment the harness reads it. When the harness's
loop is held up (its process starved of CPU on a busy machine, or busy itself), an answer
that arrived on time waits in the socket and reads late. A meter task sleeps `TICK_S` at a
time; whatever a sleep overshoots by more than `TOLERANCE_S` is stall. The stall during one
exchange is an upper bound of the harness's share of its latency, so an answer whose
latency less that stall is still past the deadline is late by the system's own doing.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress

TICK_S = 0.02
TOLERANCE_S = 0.01  # a wake-up this late is the scheduler's ordinary jitter


class StallMeter:
    """Seconds of stall since the meter started; `running()` keeps it counting."""

    def __init__(self) -> None:
        self.total_s = 0.0

    async def _count(self) -> None:
        while True:
            asleep = time.perf_counter()
            await asyncio.sleep(TICK_S)
            overshoot = time.perf_counter() - asleep - TICK_S
            if overshoot > TOLERANCE_S:
                self.total_s += overshoot

    async def __aenter__(self) -> StallMeter:
        self._task = asyncio.get_running_loop().create_task(self._count())
        return self

    async def __aexit__(self, *_: object) -> None:
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task
