"""Slow and idle clients are held: no deadline for a request's arrival, no connection cap."""

from __future__ import annotations

DEFECT = "slow clients held: no arrival deadline and no connection cap, descriptors run out"
SCENARIOS = ("slow-clients",)

_FOREVER_SECONDS = 365 * 24 * 3600.0
_NO_CAP = 10**9


def apply() -> None:
    from catalogue import replace

    from orchestrator.service import _slow_clients

    bounded = _slow_clients.request_deadline_protocol

    def unbounded(**_bounds: object) -> type:
        # uvicorn's own behaviour: an unfinished request waits without end, every one kept
        return bounded(arrival_seconds=_FOREVER_SECONDS, max_connections=_NO_CAP)

    replace(_slow_clients, "request_deadline_protocol", unbounded)
