"""The space of experiments: hypothesis strategies whose values are scenario models.

An experiment is an ordinary `Scenario` (it runs through `scenarios.runner`, and its YAML
is a scenario file), drawn as:

    traffic   victims (1-2 tenants), an intent mix, duration, callers, rate
    faults    1-3 of any allowed kind, each with its fields (see `fault_space`), a start
              and a duration inside the method; overlaps happen when windows meet
    abuse     tenant attacks are faults like any other; an attacker acts as a tenant
              that is not a victim. An experiment of abuse alone keeps a baseline before
              it and a recovery after it as long as a request may live: what the abuse
              leaves behind (an open breaker, held slots) shows there; and its times are
              widened until each window holds enough victim requests to be decided
    promises  the universal ones (`promises`), never expectations made for the case

Every choice shrinks towards the simpler experiment: fewer faults, earlier and shorter,
milder, one tenant, one intent, one caller, the lowest rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from chaos.faults import FAULT_KINDS
from chaos.seed import SERVICES, SeedOptions
from scenarios.spec.expectations import StatusVsBaseline
from scenarios.spec.model import Scenario

from .fault_space import FaultSpace, fault_strategy, is_attack
from .promises import DEADLINE_MS, promise_expectations, steady_state, tenant_buckets

__all__ = ["EXPERIMENT_NAME", "VICTIM_REQUESTS", "experiments", "scenario_of", "widened"]

EXPERIMENT_NAME = "explored"
MIN_METHOD_S, MAX_METHOD_S = 3, 8  # a short experiment: many of them fit a budget
STEP_S = 0.5  # starts and durations in half seconds
MAX_FAULTS = 3
MAX_CALLERS = 16  # above a bulkhead of 10 slots: one tenant can flood it
RATES = (5, 10, 15, 20, 30)  # requests per second across all callers
# A declared rate limit is judged only where one tenant outruns its share of it: the space
# also holds twice each tenant's share (one victim sends it all), up to what the loopback
# harness here sustains beside the system. Half again above it was too little: a paced
# caller falls a little behind, and a 3 s method at 45/s against 30/s with a burst of 20
# came out at 40/s, never over the bucket
OUTRUN = 2.0
MAX_RATE = 120
# Isolation compares the victims with their own baseline: half a second of it holds too few
# requests to know their share, so abuse starts after 2 s of it (the shortest method's
# 3 s still leave 1 s of abuse)
ABUSE_BASELINE_SLOTS = 4
# After abuse, the recovery lasts a request's deadline (capped): the abuse's last requests
# may run that long, and their effects on the victims come when they end
MAX_RECOVERY_S = 10
AD_HOC = "ad_hoc_query"
BY_SERVICE = ("service_overview", "incident_triage")  # the intents asked about a service
BENIGN_SQL = "SELECT service, owner_team FROM ops.services ORDER BY service"
AD_HOC_SQL = (
    BENIGN_SQL,
    # a new text each time: no cache of accepted queries spares its validation
    "SELECT service, owner_team, {{draw}} AS draw FROM ops.services ORDER BY service",
    # long enough (tens of milliseconds) for another session's statement to meet it running
    "SELECT count(*) AS n FROM generate_series(1, 300000) AS g",
)


def _services() -> Sequence[str]:
    return SERVICES[: SeedOptions().services_per_tenant]  # every tenant has these


def intent_mixes() -> st.SearchStrategy[dict[str, Any]]:
    """One weighted intent of the workload, with parameters the contract accepts."""
    return st.one_of(_by_service(BY_SERVICE), _ad_hoc())


def _intent_mix(intent: str) -> st.SearchStrategy[dict[str, Any]]:
    return _ad_hoc() if intent == AD_HOC else _by_service([intent])


def _by_service(intents: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda intent, service, weight: {
            "intent": intent,
            "weight": weight,
            "parameters": {"service": service},
        },
        st.sampled_from(intents),
        st.sampled_from(_services()),
        st.integers(1, 3),
    )


def _ad_hoc() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda sql, weight: {"intent": AD_HOC, "weight": weight, "parameters": {"sql": sql}},
        st.sampled_from(AD_HOC_SQL),
        st.integers(1, 3),
    )


def _intents_the_abuse_reaches(
    intents: list[dict[str, Any]], faults: list[dict[str, Any]]
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """An intent of each kind the attacks send that the victims do not send themselves.
    Isolation shows only where the victims use what the abuser abuses (the same tool, its
    breaker, its slots, its rate): victims asking for service overviews never meet the
    breaker a flood of ad hoc SQL opens."""
    sent = {getattr(timed["fault"], "sends_intent", None) for timed in faults}
    sent &= {AD_HOC, *BY_SERVICE}
    missing = sorted(sent - {mix["intent"] for mix in intents})
    return st.tuples(*[_intent_mix(intent) for intent in missing]).map(list)


def _timing(
    method_s: int, first_slot: int = 1, after_s: float = 0
) -> st.SearchStrategy[dict[str, str]]:
    """A start and a duration that fit a method of `method_s` seconds, starting at
    `first_slot` half seconds at the earliest and ending `after_s` before the method."""
    slots = int((method_s - after_s) / STEP_S)

    @st.composite
    def timing(draw: st.DrawFn) -> dict[str, str]:
        start = draw(st.integers(first_slot, slots - 2))  # a baseline before, 1 s of fault
        length = draw(st.integers(2, slots - start))
        return {"start": f"{start * 500}ms", "duration": f"{length * 500}ms"}

    return timing()


def _faults(
    draw: st.DrawFn, space: FaultSpace, method_s: int
) -> tuple[list[dict[str, Any]], bool, int]:
    """The experiment's timed faults, whether they are abuse alone, and the method's length
    (abuse alone keeps a recovery after its attacks)."""
    kinds = space.allowed_kinds()
    attacks = [kind for kind in kinds if is_attack(kind)]
    # Half the experiments draw tenant attacks alone: only abuse alone is judged on
    # isolation, and a draw over every kind would rarely leave the world intact (shrinks
    # to: any kind)
    if attacks and draw(st.booleans()):
        kinds = attacks
    # Hypothesis draws an index that favours the front of a list: in kinds' fixed order the
    # first attacks came up ten times as often as the last (validator_heavy_sql, 8 of 300
    # experiments). An order drawn afresh for each experiment gives every kind its turn.
    order = draw(st.permutations(kinds))
    one_fault = st.sampled_from(order).flatmap(lambda kind: fault_strategy(kind, space))
    # Slots rather than a list: the shrinker empties any slot, where it cannot always
    # delete the first item of a list
    slots = draw(st.tuples(*[st.none() | one_fault] * MAX_FAULTS).filter(any))
    drawn = [fault for fault in slots if fault is not None]
    # Attacks alone, however drawn, leave the world intact: abuse alone, judged as such
    abuse_only = all(is_attack(fault.kind) for fault in drawn)
    first_slot, recovery_s = 1, 0
    if abuse_only:
        first_slot = ABUSE_BASELINE_SLOTS
        recovery_s = _recovery_s(space)
        method_s += recovery_s
    timings = draw(st.tuples(*[_timing(method_s, first_slot, recovery_s)] * len(drawn)))
    faults = [{"fault": fault, **timing} for fault, timing in zip(drawn, timings, strict=True)]
    return faults, abuse_only, method_s


@st.composite
def _experiment(draw: st.DrawFn, space: FaultSpace) -> dict[str, Any]:
    victims = draw(st.lists(st.sampled_from(space.victims), min_size=1, max_size=2, unique=True))
    intents = draw(
        st.lists(intent_mixes(), min_size=1, max_size=3, unique_by=lambda m: str(m["parameters"]))
    )
    method_s = draw(st.integers(MIN_METHOD_S, MAX_METHOD_S))
    faults, abuse_only, method_s = _faults(draw, space, method_s)
    if abuse_only:
        intents += draw(_intents_the_abuse_reaches(intents, faults))
    callers = draw(st.integers(1, MAX_CALLERS))
    rate = draw(st.sampled_from(rates(space)))
    return {
        "name": EXPERIMENT_NAME,
        "workload": {
            "intents": intents,
            "tenants": victims,
            "duration": f"{method_s}s",
            "concurrency": callers,
            "rate": f"{rate}/s",
            # never `burst`: the runner records a burst's requests as phase `burst`, so no
            # fault phase would be left to judge the isolation promise on
        },
        "steady_state": steady_state(),
        "faults": [{**timed, "fault": timed["fault"].model_dump(mode="json")} for timed in faults],
        "expectations": promise_expectations(
            abuse_only=abuse_only,
            by_another_tenant=any(getattr(t["fault"], "as_tenant", None) for t in faults),
            declared=space.promises,
            marked_sql=any(_marks_sql(timed["fault"].kind) for timed in faults),
            rate=rate,
        ),
    }


def rates(space: FaultSpace) -> tuple[int, ...]:
    """The workload's rates: the fixed ones, and one past each tenant's declared share."""
    past = {
        min(MAX_RATE, math.ceil(OUTRUN * bucket["per_second"]))
        for bucket in tenant_buckets(space.promises).values()
    }
    return tuple(sorted(set(RATES) | past))


def _marks_sql(kind: str) -> bool:
    """Whether the kind's SQL is one the database's statement log would name."""
    return getattr(FAULT_KINDS[kind], "statement_mark", None) is not None


def _recovery_s(space: FaultSpace) -> int:
    declared = space.promises.request_deadline_seconds
    deadline_s = declared if declared else DEADLINE_MS / 1000
    return min(math.ceil(deadline_s), MAX_RECOVERY_S)


def scenario_of(data: dict[str, Any]) -> Scenario:
    return Scenario.model_validate(data)


# The victims' requests an attack's window must hold for the comparison with their baseline
# to be decided either way: a healthy system passes only once all 25 of 25 `success` put
# the phase's lower end at 80 % at the suite's 95 % (the baseline's upper end less the 20
# points allowed), and 0 of 5 is still too few to fail one; 40 leave room for a miss or two
VICTIM_REQUESTS = 40
# ...but a phase may last no more than six times as drawn (a 13 s method of abuse alone at
# 5 requests a second, its attack 1 s, becomes 78 s of budget; an honest system's phases
# end once decided, after about 30 s)
MAX_WIDENING = 6.0


def widened(scenario: Scenario) -> tuple[Scenario, float]:
    """`scenario` with its time budgets stretched by one factor (so its faults keep their
    order and overlaps) until its shortest timed fault holds `VICTIM_REQUESTS` of the
    workload's requests; and that factor (1: as drawn, or not a comparison with a
    baseline). The runner ends each phase as soon as its checks are decided, so the longer
    budget is spent only while a verdict is still open: a system that breaks the promise
    fails as early in the window as it would have, and one that keeps it passes, where the
    window as drawn (1 s at 5 requests a second) would have left both undecided."""
    workload = scenario.workload
    compares = any(isinstance(e, StatusVsBaseline) for e in scenario.expectations)
    windows = [timed.duration for timed in scenario.faults if timed.duration]
    if not (compares and workload.rate and workload.duration and windows):
        return scenario, 1.0
    factor = VICTIM_REQUESTS / (workload.rate * min(windows))
    if factor <= 1:
        return scenario, 1.0
    factor = min(MAX_WIDENING, math.ceil(factor * 2) / 2)  # a readable factor: 1.5, 2...
    faults = [
        timed.model_copy(
            update={
                "start": timed.start * factor,
                "duration": timed.duration * factor if timed.duration else None,
            }
        )
        for timed in scenario.faults
    ]
    stretched = workload.model_copy(update={"duration": workload.duration * factor})
    return scenario.model_copy(update={"workload": stretched, "faults": faults}), factor


def experiments(space: FaultSpace) -> st.SearchStrategy[Scenario]:
    """Scenarios drawn from `space`, each judged against the universal promises only; one of
    abuse alone with its times widened so that isolation can be decided."""
    return _experiment(space).map(scenario_of).map(lambda scenario: widened(scenario)[0])
