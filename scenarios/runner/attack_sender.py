"""The requests of an attack with a `rate`, sent beside the workload while it holds.

An abuser does not wait its turn: each volley of `burst` requests goes at its time whether
or not the ones before it are answered (open loop), so a slow answer (a statement cut by
its timeout, a slot held) never slows the flood. A volley's requests start together and,
as alike as they are, end together: failures in a row, as a script firing in parallel
makes them. Paced as the workload is (`pacing`): a volley missed while the loop was busy
is skipped, not sent late. At most `rate` x the request deadline requests are in flight.

Their answers are kept as an attack's (source `attack`) and left out of the stop
conditions, which watch the workload: the abuse failing is its point.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from chaos.faults import TenantAttack

from .exchange import Outcome
from .pacing import Pacing
from .traffic import PlannedRequest, TrafficMix

__all__ = ["send_beside"]


async def send_beside(
    attack: TenantAttack,
    traffic: TrafficMix,
    send: Callable[[PlannedRequest], Awaitable[Outcome]],
    keep: Callable[[Outcome], None],
    stop: asyncio.Event,
) -> int:
    """Send `attack`'s requests at its rate until `stop` is set; returns once every one of
    them is answered, with how many were sent."""
    assert attack.rate is not None, "only an attack with a rate sends requests of its own"
    pacing = Pacing(attack.rate / attack.burst)  # volleys of `burst` requests
    sent = 0

    async def one(request: PlannedRequest) -> None:
        keep(await send(request))

    async with asyncio.TaskGroup() as in_flight:
        while (wait := pacing.next_wait()) is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            if stop.is_set():
                break
            for _ in range(attack.burst):
                in_flight.create_task(one(traffic.beside(attack)))
            sent += attack.burst
    return sent
