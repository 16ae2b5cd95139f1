"""Constant arrival rate without coordinated omission: the pure pacing rule.

Each user owns a fixed timetable, `start + k * interval`. It sends request k at its
scheduled time, or at once when it is already late, and the latency it reports is
measured from the *scheduled* time, not the actual send. So when the service stalls and a
user cannot send on schedule, the waiting time counts against the service, as it would for
a real client arriving at that moment (the wrk2 / HdrHistogram correction). The service
time alone (from the actual send) is kept as well.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ArrivalTimetable:
    """The pacing state of one user: which slot is next, and when it is due."""

    start: float
    interval_s: float
    next_slot: int = 0

    @classmethod
    def for_user(cls, now: float, total_rate: float, pool_users: int) -> ArrivalTimetable:
        """Split `total_rate` requests/s evenly over `pool_users` users."""
        if total_rate <= 0 or pool_users <= 0:
            raise ValueError("total_rate and pool_users must be positive")
        return cls(start=now, interval_s=pool_users / total_rate)

    def due(self) -> float:
        return self.start + self.next_slot * self.interval_s

    def wait_before_next(self, now: float) -> float:
        """Seconds to sleep before the next send (0 when already late)."""
        return max(0.0, self.due() - now)

    def take_slot(self) -> float:
        """Claim the next slot; returns its scheduled time, from which latency is measured."""
        scheduled = self.due()
        self.next_slot += 1
        return scheduled


def intended_latency_ms(scheduled: float, completed: float) -> float:
    """Latency as the arriving client saw it: from the scheduled send to the answer."""
    return max(0.0, (completed - scheduled) * 1000.0)
