"""A call waits for its tool however long it takes: the deadline never cuts it short."""

from __future__ import annotations

import math

DEFECT = "no call deadline: a tool call waits for its upstream however long it takes"
SCENARIOS = ("metrics-latency-cascade", "breaker-fails-fast")


def apply() -> None:
    from orchestrator import call_policy

    wait = call_policy.wait_within_deadline

    async def without_deadline(task, _deadline_at, **options):  # type: ignore[no-untyped-def]
        return await wait(task, math.inf, **options)

    call_policy.wait_within_deadline = without_deadline
