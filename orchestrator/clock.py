"""Where the policies read the time, so tests can run them on a virtual clock.

A clock is any zero-argument callable returning seconds on a monotonic scale.
Deadlines are the one exception: they are times on the event loop's own clock, because
`deadline.run_within_deadline` schedules its wake-up there (`loop.call_at`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]

monotonic: Clock = time.monotonic


class VirtualClock:
    """A clock that moves only when told to: `clock.advance(2.5)`."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock cannot go back")
        self.now += seconds
