"""Whether a tenant's requests outran a token bucket: only then are rate refusals owed.

A closed-loop client sends its next request when an answer comes back, so a system that
answers slower than its bucket refills is never over its rate, however many requests a
scenario sends. Its silence then proves nothing: the check stays inconclusive.

Requests are counted by their send times (the client's clock). The bucket sees them a
little later, and a request held up on the way in gives the bucket time to refill, so
every span is granted `ARRIVAL_SLACK_S` of extra refill: rate refusals are owed only
when a span of requests exceeds `burst + per_second * (span + slack)` by at least one.

The other side of the same bucket: the calls it let through must fit in it. A call that
succeeded was admitted somewhere between its request's send and its answer, so a span of
successes, from the first one's send to the latest answer among them, holds at most
`burst + per_second * span` of them; one more than that is a tenant over its share
(`admitted_past`). The window is as wide as the clocks allow, so a bucket kept is never
taken for one overrun. `calls_within_rate` judges that side alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from scenarios.spec.expectations import CallsWithinRate
from slo import Judgement, Verdict

from .exchange import Outcome

ARRIVAL_SLACK_S = 0.5


@dataclass(frozen=True)
class Outran:
    """The most a span of one tenant's requests exceeded the bucket by (< 1: never)."""

    tenant: str
    excess: float

    @property
    def owed(self) -> bool:
        return self.excess >= 1.0


def outran(outcomes: Sequence[Outcome], per_second: float, burst: float) -> Outran:
    """The tenant whose requests exceeded the bucket by the most, and by how much."""
    sends: dict[str, list[float]] = defaultdict(list)
    for outcome in outcomes:
        sends[outcome.observation.tenant].append(outcome.observation.ts)
    worst = Outran("", float("-inf"))
    for tenant, times in sends.items():
        excess = _most_over(sorted(times), per_second) - burst - per_second * ARRIVAL_SLACK_S
        worst = max(worst, Outran(tenant, excess), key=lambda o: o.excess)
    return worst


def _most_over(times: list[float], per_second: float) -> float:
    """max over spans i..j of (requests in the span) - per_second * (its length): with
    `lowest` the least of `i - per_second * t_i` so far, one pass finds it."""
    most, lowest = float("-inf"), float("inf")
    for index, sent in enumerate(times):
        lowest = min(lowest, index - per_second * sent)
        most = max(most, index - per_second * sent - lowest + 1)
    return most


def admitted_past(
    outcomes: Sequence[Outcome], tool: str, per_second: float, burst: float
) -> Outran:
    """The tenant whose successful calls of `tool` exceeded the bucket by the most."""
    calls: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for outcome in outcomes:
        if any(r["tool_id"] == tool and r["success"] for r in outcome.answer.results):
            sent = outcome.observation.ts
            calls[outcome.observation.tenant].append(
                (sent, sent + outcome.observation.latency_ms / 1000)
            )
    worst = Outran("", float("-inf"))
    for tenant, spans in calls.items():
        excess = _most_admitted(sorted(spans), per_second) - burst
        worst = max(worst, Outran(tenant, excess), key=lambda o: o.excess)
    return worst


def _most_admitted(spans: list[tuple[float, float]], per_second: float) -> float:
    """max over runs i..j (by send time) of (calls in it) - per_second * (the latest answer
    among them - the first send): as in `_most_over`, one pass with the least of
    `i - per_second * sent_i` so far."""
    most, lowest, latest = float("-inf"), float("inf"), float("-inf")
    for index, (sent, answered) in enumerate(spans):
        lowest = min(lowest, index - per_second * sent)
        latest = max(latest, answered)
        most = max(most, index + 1 - per_second * latest - lowest)
    return most


def overran(outcomes: Sequence[Outcome], tool: str, per_second: float, burst: float) -> str | None:
    """How the tenant whose successful calls of `tool` overran the bucket most did, if any."""
    most = admitted_past(outcomes, tool, per_second, burst)
    if not most.owed:
        return None
    return (
        f"{most.tenant}'s {tool} calls let through overran {per_second:g}/s "
        f"with a burst of {burst:g} by {most.excess:.0f}"
    )


def outran_a_bucket(expectation: CallsWithinRate, outcomes: Sequence[Outcome]) -> bool:
    """Whether some tenant's requests outran one of the expectation's buckets."""
    return any(
        outran(outcomes, bucket.per_second, bucket.burst).owed
        for bucket in expectation.calls_within_rate.values()
    )


def calls_within_rate(expectation: CallsWithinRate, outcomes: Sequence[Outcome]) -> Judgement:
    """Fails when a tenant's successful calls of a tool overran its bucket; passes only
    once a tenant's requests outran it (before that, no limit was put to the test)."""
    tested = []
    for tool, bucket in expectation.calls_within_rate.items():
        if (overrun := overran(outcomes, tool, bucket.per_second, bucket.burst)) is not None:
            return Judgement(Verdict.FAIL, overrun)
        if outran(outcomes, bucket.per_second, bucket.burst).owed:
            tested.append(f"{tool}: {bucket.per_second:g}/s with a burst of {bucket.burst:g}")
    if not tested:
        return Judgement(
            Verdict.INCONCLUSIVE,
            f"no tenant's requests outran the buckets in {len(outcomes)} requests",
        )
    return Judgement(Verdict.PASS, f"every tenant's calls within {'; '.join(tested)}")
