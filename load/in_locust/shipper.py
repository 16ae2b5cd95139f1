"""The sending side of the acknowledged transfer (see `load.transport.ledger`): one worker's
shipper.

Runs inside a Locust process, so it does no I/O of its own: the transport (`post`), the
pause between resends (`sleep`) and the clock are passed in. One batch is in flight at a
time and is resent, unchanged, until the harness acknowledges its number; observations
added meanwhile wait for the next batch.

    shipper = ObservationShipper("host-123", post=post_json, sleep=gevent.sleep)
    shipper.add(observation.to_json())
    shipper.ship(deadline=time.monotonic() + 5)             # periodic
    shipper.ship(final=True, deadline=time.monotonic() + 30)  # at quit: the last batch
"""

from __future__ import annotations

import time
from collections.abc import Callable

from load.transport.ledger import Batch

__all__ = ["ObservationShipper", "Post"]

# Sends one batch; returns the number the harness acknowledged, or None (no answer, refusal).
Post = Callable[[Batch], "int | None"]

MAX_BACKOFF_S = 2.0


class ObservationShipper:
    def __init__(
        self,
        worker_id: str,
        *,
        post: Post,
        sleep: Callable[[float], object],
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        first_backoff_s: float = 0.1,
    ) -> None:
        self.worker_id = worker_id
        self.users = 0  # set by the caller; travels with each batch for the live line
        self.requests_seen = 0
        self._post, self._sleep, self._clock, self._wall_clock = post, sleep, clock, wall_clock
        self._first_backoff_s = first_backoff_s
        self._pending: list[str] = []
        self._unacked: Batch | None = None
        self._next_seq = 0
        self._sent_total = 0
        self.finished = False  # the final batch was acknowledged
        self.resends = 0

    def add(self, observation_json: str) -> None:
        self._pending.append(observation_json)

    def count_request(self) -> None:
        self.requests_seen += 1

    def ship(self, *, deadline: float, final: bool = False) -> bool:
        """Deliver what is pending (with `final`: everything, then the final batch).

        Returns True once delivered, False if `deadline` (on the clock) passed first; what
        was not delivered is kept and goes first next time.
        """
        while not self.finished:
            if self._unacked is None:
                if not (self._pending or final or self._next_seq == 0):
                    return True
                self._unacked = self._next_batch(final)
            if not self._send_until_acked(self._unacked, deadline):
                return False
            delivered, self._unacked = self._unacked, None
            self.finished = delivered.final
            if not final:
                return True
        return True

    def _next_batch(self, final: bool) -> Batch:
        observations, self._pending = self._pending, []
        self._sent_total += len(observations)
        batch = Batch(
            worker=self.worker_id,
            seq=self._next_seq,
            observations=observations,
            users=self.users,
            final=final,
            sent_total=self._sent_total,
            requests_seen=self.requests_seen,
        )
        self._next_seq += 1
        return batch

    def _send_until_acked(self, batch: Batch, deadline: float) -> bool:
        backoff = self._first_backoff_s
        while True:
            if self._post(batch.model_copy(update={"sent_at": self._wall_clock()})) == batch.seq:
                return True
            self.resends += 1
            if self._clock() >= deadline:
                return False
            self._sleep(min(backoff, max(0.0, deadline - self._clock())))
            backoff = min(backoff * 2, MAX_BACKOFF_S)
