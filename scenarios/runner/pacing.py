"""When the next paced send may go: the workload's workers and an attack's own sender
alike (`rate` sends a second, up to `count` of them).

Paced sends never catch up: slots missed while the sender was busy (the service slow,
the loop held up) are skipped, so the sends never exceed their rate; a catch-up burst
would be a fault of its own.
"""

from __future__ import annotations

import time

__all__ = ["Pacing"]


class Pacing:
    def __init__(self, rate: float | None, count: int | None = None) -> None:
        self.rate = rate  # None: as fast as the sender goes
        self.count = count  # None: until the sender stops
        self.started = time.monotonic()
        self.sent = 0
        self.next_at = 0.0  # offset of the next paced send

    def next_wait(self) -> float | None:
        """Seconds to wait before the next send, or None when its count is sent."""
        if self.count is not None and self.sent >= self.count:
            return None
        self.sent += 1
        if not self.rate:
            return 0.0
        elapsed = time.monotonic() - self.started
        slot = max(self.next_at, elapsed)
        self.next_at = slot + 1.0 / self.rate
        return slot - elapsed
