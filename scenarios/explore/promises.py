"""The universal promises every system owes, as the suite's own expectations, and the
verdict of one experiment against them.

    an answer by the deadline      within_deadline (the request deadline + a grace)
    honest status                  honest_status (a call that failed never reads success)
    no cross-tenant data           no_cross_tenant_data
    audit exactly once             audit_exactly_once
    steady state after rollback    the steady-state hypothesis, again after rollback
    tenant isolation               in an experiment of tenant abuse alone, the victims'
                                   own share of `success` while the abuse lasts, and after
                                   it, is not lower than their own share before it (the
                                   baseline phase of the same run) by more than
                                   ISOLATION_DROP, with confidence on both sides
    breakers open on upstream      in an experiment of tenant abuse alone (no failure can
    failures only                  hide: the world is intact), a tool answers
                                   `circuit_open` only where it also failed upstream
    refused before the database    declared with a query validator: no attack's SQL
                                   reaches the database (its own statement log shows)
    a tenant's share of the rate   declared with a rate limit: no tenant's successful
                                   calls of the tool overran its share of the bucket

The deadline is the one the system declares (`request_deadline_seconds`), else the one
Gauntlet deploys.

An experiment breaks a promise when that check fails; an inconclusive check is never a
break, and an experiment whose world was not steady before its method judged nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from contract import TOOL_IDS, Promises
from slo import Check, Verdict

__all__ = [
    "DEADLINE_MS",
    "GRACE_MS",
    "ISOLATION",
    "RATE_SHARE",
    "STEADY_AFTER",
    "PROMISE_OF_CHECK",
    "ExperimentVerdict",
    "Judged",
    "promise_expectations",
    "steady_state",
    "tenant_buckets",
    "verdict_of",
]

DEADLINE_MS = 5000  # the suite's request deadline (GAUNTLET_REQUEST_DEADLINE_SECONDS)
GRACE_MS = 1000  # transport and scheduling beyond it, as the core scenarios allow
STEADY_REQUESTS = 8
STEADY_SUCCESS = ">= 0.8"
# A victim is judged against itself: a system slow when healthy (80 % success) that stays
# so under abuse is isolated. The margin is what a busy machine's drift between two seconds
# of one run may do to a healthy victim; the confidence sequences on both shares add the
# sampling noise on top, so a drop is a break only when it is beyond both. Wider, and the
# few seconds of a short experiment could not show even a collapse (99 % to 40 % needs
# about 60 requests on each side at 20 points, 100 at 25).
ISOLATION_DROP = 0.20
ISOLATION = "tenant isolation"
STEADY_AFTER = "steady state after rollback"
RATE_SHARE = "a tenant's share of the rate"

# The check a promise becomes (see scenarios.runner), by its name in the reports.
PROMISE_OF_CHECK = {
    "within_deadline": "answer by the deadline",
    "honest_status": "honest status",
    "no_cross_tenant_data": "no cross-tenant data",
    "audit_exactly_once": "audit exactly once",
    "steady state after rollback": STEADY_AFTER,
    "status_vs_baseline [fault]": ISOLATION,
    # a breaker the tenants share opens at the abuse's end and refuses the others after it
    "status_vs_baseline [recovery]": ISOLATION,
    "refused_before_database": "refused before the database",
    "breaker_opens_on_upstream": "breakers open on upstream failures only",
    "calls_within_rate": RATE_SHARE,
}
NOT_STEADY = "steady state before"


def promise_expectations(
    *,
    abuse_only: bool,
    by_another_tenant: bool = True,
    declared: Promises | None = None,
    marked_sql: bool = False,
    rate: float = 0.0,
) -> list[dict]:
    """The expectations of an experiment, as the scenario file spells them.
    `by_another_tenant`: an attack acts as a tenant that is not a victim (the victims' own
    attacks, a missing key, a payload, are no other tenant's abuse to be isolated from,
    and at a share of 1 leave no victim request to judge); `marked_sql`:
    an attack of the experiment sends SQL its statement log would show; `rate`: its
    requests per second, all tenants together (a tenant's share of a rate limit is judged
    only where they could outrun it)."""
    deadline_s = declared.request_deadline_seconds if declared else None
    deadline_ms = round(deadline_s * 1000) if deadline_s else DEADLINE_MS
    expectations: list[dict] = [
        {"within_deadline": {"deadline_ms": deadline_ms, "grace_ms": GRACE_MS}},
        {"honest_status": True},
        {"no_cross_tenant_data": True},
        {"audit_exactly_once": True},
    ]
    if marked_sql and declared is not None and declared.query_validator is not None:
        expectations.append({"refused_before_database": True, "needs": ["query_validator"]})
    if declared is not None and (buckets := tenant_buckets(declared, below=rate)):
        needs = [f"tenant_rate_per_second.{tool}" for tool in buckets]
        expectations.append({"calls_within_rate": buckets, "needs": needs})
    if abuse_only:  # with the world intact, the victims' outcome is the abuse's doing alone
        expectations.append({"breaker_opens_on_upstream": True})
    if abuse_only and by_another_tenant:
        for phase in ("fault", "recovery"):
            shift = {"status": "success", "max_drop": ISOLATION_DROP}
            expectations.append({"status_vs_baseline": shift, "phase": phase})
    return expectations


def tenant_buckets(declared: Promises, below: float = math.inf) -> dict[str, dict[str, float]]:
    """One tenant's token bucket for each tool with a declared rate limit: its share of
    the rate and of the burst (the whole of them with no tenant share declared); only
    those refilled slower than `below` requests a second."""
    buckets = {}
    for tool in TOOL_IDS:
        per_second = declared.promised(f"tenant_rate_per_second.{tool}")
        if per_second < below:
            burst = declared.promised(f"tenant_burst.{tool}")
            buckets[tool] = {"per_second": per_second, "burst": burst}
    return buckets


def steady_state() -> dict:
    return {"requests": STEADY_REQUESTS, "status": {"success": STEADY_SUCCESS}}


class Judged(Enum):
    HELD = "held"  # every promise held
    BROKEN = "broken"  # a promise's check failed
    UNDECIDED = "undecided"  # nothing failed, something was not decided
    VOID = "void"  # the world was not steady before the method: nothing was judged


@dataclass(frozen=True)
class ExperimentVerdict:
    judged: Judged
    broken: tuple[str, ...] = ()  # promises broken, in the order of the checks
    details: tuple[str, ...] = ()  # each broken promise's check detail
    # a call failed upstream or was refused by a breaker: a breaker may be open when the run
    # ends (one opened by the run's last failures refuses nobody in it)
    breaker_may_be_open: bool = False
    # void, and the victims' own calls before the method refused for want of a slot
    # (`concurrency_limit`): the workload had more callers than the system takes
    slots_overrun: bool = False

    @property
    def first_broken(self) -> str | None:
        return self.broken[0] if self.broken else None


def verdict_of(checks: Sequence[Check]) -> ExperimentVerdict:
    """The experiment's verdict from its checks (only the promises' checks count)."""
    if any(c.name == NOT_STEADY and c.verdict is Verdict.FAIL for c in checks):
        return ExperimentVerdict(Judged.VOID)
    promised = [c for c in checks if c.name in PROMISE_OF_CHECK]
    failed = [c for c in promised if c.verdict is Verdict.FAIL]
    if failed:
        return ExperimentVerdict(
            Judged.BROKEN,
            tuple(PROMISE_OF_CHECK[c.name] for c in failed),
            tuple(c.detail for c in failed),
        )
    if any(not c.verdict.decided for c in checks):
        return ExperimentVerdict(Judged.UNDECIDED)
    return ExperimentVerdict(Judged.HELD)
