"""The acknowledged transfer of observations from Locust workers to the harness: its ledger.

Locust's own worker→master report channel drops the last report at shutdown, so every
Locust process that runs users ships its observations to the harness itself, in numbered
batches, one at a time, resending a batch until the harness acknowledges it:

    worker                                   harness (`load.transport.collector`)
    batch 0 (empty: "I exist")      ──►      ledger: worker known, expects batch 1
    batch 1 [observations...]       ──►      stored, ack 1
    batch 1 again (the ack was lost) ──►     duplicate: not stored, ack 1 again
    batch 2 final, sent_total, requests_seen ──► stored, ack 2; this worker is complete

The ledger is pure: it decides what to store and what to acknowledge. A worker is complete
when its final batch arrived and every batch before it did, so the observations stored for
it equal what it says it sent (`sent_total`) — the proof that nothing was lost or doubled.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Batch", "BatchLedger", "Receipt", "WorkerAccount"]


class Batch(BaseModel):
    """One numbered batch of one worker (JSON on the wire)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Names a file in the run folder too, so no path characters.
    worker: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
    seq: int = Field(ge=0)
    observations: list[str] = Field(default_factory=list)  # one JSON observation each
    users: int = Field(default=0, ge=0)  # users this worker runs now, for the live line
    final: bool = False
    sent_total: int = Field(default=0, ge=0)  # observations in batches 0..seq together
    requests_seen: int = Field(default=0, ge=0)  # Locust request events on this worker
    sent_at: float | None = None  # the worker's clock when it (re)sent this batch


class Receipt(enum.StrEnum):
    STORED = "stored"  # new: store its observations, then acknowledge
    DUPLICATE = "duplicate"  # already stored: acknowledge again, store nothing
    GAP = "gap"  # a batch before it is missing: refuse, the worker resends in order


@dataclass
class WorkerAccount:
    """What the harness holds of one worker."""

    worker: str
    last_seq: int = -1
    stored: int = 0  # observations stored
    duplicates: int = 0  # batches received again after their ack was lost
    users: int = 0
    final: bool = False
    sent_total: int | None = None  # the worker's own count, from its final batch
    requests_seen: int | None = None
    # The smallest (arrival on the harness's clock - send on the worker's) seen: the clock
    # offset plus the quickest network delay, so an upper bound of the worker's lag.
    clock_offset_s: float | None = None

    @property
    def complete(self) -> bool:
        return self.final and self.sent_total == self.stored


class BatchLedger:
    def __init__(self) -> None:
        self.accounts: dict[str, WorkerAccount] = {}

    def receive(self, batch: Batch, arrived_at: float | None = None) -> Receipt:
        """Decide what to do with `batch`; on STORED the caller stores it before acking."""
        account = self.accounts.setdefault(batch.worker, WorkerAccount(batch.worker))
        if batch.sent_at is not None and arrived_at is not None:
            offset = arrived_at - batch.sent_at
            if account.clock_offset_s is None or offset < account.clock_offset_s:
                account.clock_offset_s = offset
        if batch.seq <= account.last_seq:
            account.duplicates += 1
            return Receipt.DUPLICATE
        if batch.seq != account.last_seq + 1:
            return Receipt.GAP
        account.last_seq = batch.seq
        account.stored += len(batch.observations)
        account.users = batch.users
        if batch.final:
            account.final = True
            account.sent_total = batch.sent_total
            account.requests_seen = batch.requests_seen
        return Receipt.STORED

    @property
    def users(self) -> int:
        """Users running now, across workers that have not finished."""
        return sum(a.users for a in self.accounts.values() if not a.final)

    def incomplete(self) -> list[str]:
        return sorted(w for w, account in self.accounts.items() if not account.complete)

    @property
    def stored(self) -> int:
        return sum(account.stored for account in self.accounts.values())
