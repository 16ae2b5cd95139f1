"""Adaptive phases: the plan of stretches, the phase a request lived through, and the
expectation verdicts the runner asks about while a phase runs (pure, no I/O)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaos.schedule import TimedFault
from scenarios.runner.conductor import plan_stretches
from scenarios.runner.exchange import Outcome
from scenarios.runner.expectation_checks import judge_expectations, undecided
from scenarios.spec.model import Scenario
from vocabulary import Answer, FaultWindow, Observation, Phase, phase_during


def timed(kind: dict[str, Any], start: str, duration: str | None) -> TimedFault:
    raw: dict[str, Any] = {"fault": kind, "start": start}
    if duration is not None:
        raw["duration"] = duration
    return TimedFault.model_validate(raw)


def test_a_flapping_schedule_is_cut_at_every_start_and_end() -> None:
    faults = [timed({"kind": "db_stop"}, "2s", "6s"), timed({"kind": "db_kill"}, "10s", "6s")]
    stretches = plan_stretches(faults, 19.0)
    assert [(s.start, s.end, s.phase) for s in stretches] == [
        (0.0, 2.0, Phase.BASELINE),
        (2.0, 8.0, Phase.FAULT),
        (8.0, 10.0, Phase.RECOVERY),
        (10.0, 16.0, Phase.FAULT),
        (16.0, 19.0, Phase.RECOVERY),
    ]
    assert [(s.begins, s.ends) for s in stretches] == [
        ((), ()),
        ((0,), (0,)),
        ((), ()),
        ((1,), (1,)),
        ((), ()),
    ]


def test_an_open_ended_fault_ends_with_the_method_and_a_burst_is_its_own_phase() -> None:
    stretches = plan_stretches([timed({"kind": "db_stop"}, "1s", None)], 5.0)
    assert [(s.phase, s.ends) for s in stretches] == [(Phase.BASELINE, ()), (Phase.FAULT, (0,))]
    (burst,) = plan_stretches([], None, burst=True)
    assert burst.phase is Phase.BURST and math.isinf(burst.budget_s)


@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(1, 10)),
        min_size=0,
        max_size=4,
    )
)
def test_stretches_tile_the_method_and_each_fault_begins_and_ends_once(
    schedule: list[tuple[int, int]],
) -> None:
    method_s = 40.0
    faults = [timed({"kind": "db_stop"}, f"{s}s", f"{d}s") for s, d in schedule]
    stretches = plan_stretches(faults, method_s)
    assert stretches[0].start == 0.0 and stretches[-1].end == method_s
    assert all(a.end == b.start for a, b in zip(stretches, stretches[1:], strict=False))
    begins = sorted(i for s in stretches for i in s.begins)
    ends = sorted(i for s in stretches for i in s.ends)
    assert begins == ends == list(range(len(faults)))


def test_a_request_in_flight_when_a_fault_lands_met_the_fault() -> None:
    windows = [FaultWindow(10.0, 20.0)]
    assert phase_during(9.0, 9.5, windows) is Phase.BASELINE
    assert phase_during(9.5, 10.2, windows) is Phase.FAULT  # started healthy, ended in it
    assert phase_during(19.9, 20.5, windows) is Phase.FAULT
    assert phase_during(20.0, 20.1, windows) is Phase.RECOVERY


def scenario(expectations: str, *, faults: bool = True) -> Scenario:
    schedule = "faults: [{fault: {kind: db_stop}, start: 1s, duration: 2s}]\n" if faults else ""
    import yaml

    return Scenario.model_validate(
        yaml.safe_load(
            "name: s\nworkload:\n"
            "  intents: [{intent: service_overview, parameters: {service: checkout}}]\n"
            "  tenants: [acme]\n"
            "  duration: 5s\n" + schedule + "expectations:\n" + expectations
        )
    )


def outcome(
    phase: Phase,
    status: str = "success",
    *,
    latency_ms: float = 50.0,
    errors: dict[str, str] | None = None,
    attack: str | None = None,
) -> Outcome:
    observation = Observation(
        ts=0.0,
        scenario="s",
        phase=phase,
        status=status,
        latency_ms=latency_ms,
        tool_errors=errors or {},
        request_id="r",
    )
    return Outcome(Answer(observation, status, None, 200), attack, frozenset(), True)


def verdicts(s: Scenario, outcomes: Sequence[Outcome], **kw: Any) -> list[str]:
    return [check.verdict for check in judge_expectations(s, outcomes, audit_rows={}, **kw)]


def test_a_share_strictly_inside_0_and_1_waits_for_its_confidence_sequence() -> None:
    s = scenario('  - {status: {partial: ">= 0.6"}, phase: fault}\n')
    few = [outcome(Phase.FAULT, "partial")] * 5
    assert verdicts(s, few) == ["inconclusive"]
    assert undecided(s, few, Phase.FAULT, last=False, decided={})
    many = [outcome(Phase.FAULT, "partial")] * 30
    assert verdicts(s, many) == ["pass"]
    assert not undecided(s, many, Phase.FAULT, last=False, decided={})
    breached = [outcome(Phase.FAULT, "success")] * 30
    assert verdicts(s, breached) == ["fail"]


def test_a_zero_tolerance_bound_is_judged_on_every_request_and_never_waits() -> None:
    s = scenario('  - {status: {failed: "<= 0"}, phase: fault}\n')
    assert verdicts(s, [outcome(Phase.FAULT, "partial")]) == ["pass"]
    assert verdicts(s, [outcome(Phase.FAULT, "partial"), outcome(Phase.FAULT, "failed")]) == [
        "fail"
    ]


def test_attack_requests_are_not_part_of_the_status_mix() -> None:
    s = scenario('  - {status: {failed: "<= 0"}}\n', faults=False)
    refused = outcome(Phase.BASELINE, "failed", attack="forged_api_key")
    assert verdicts(s, [outcome(Phase.BASELINE), refused]) == ["pass"]


def test_a_decided_verdict_stays_decided_when_stragglers_arrive() -> None:
    s = scenario('  - {status: {partial: ">= 0.6"}, phase: fault}\n')
    decided: dict[tuple[int, str], str] = {}
    outcomes = [outcome(Phase.FAULT, "partial")] * 12
    assert not undecided(s, outcomes, Phase.FAULT, last=False, decided=decided)
    stragglers = [outcome(Phase.FAULT, "success")] * 4  # in flight when the phase stopped
    assert verdicts(s, outcomes + stragglers) == ["inconclusive"]
    assert verdicts(s, outcomes + stragglers, decided=decided) == ["pass"]


def test_tool_errors_wait_for_a_failure_and_fail_at_once_on_a_foreign_code() -> None:
    s = scenario("  - {tool_errors: {metrics: [timeout, circuit_open]}, phase: fault}\n")
    assert verdicts(s, [outcome(Phase.FAULT, "success")]) == ["inconclusive"]
    hit = outcome(Phase.FAULT, "partial", errors={"metrics": "circuit_open"})
    assert verdicts(s, [hit]) == ["pass"]
    wrong = outcome(Phase.FAULT, "partial", errors={"metrics": "internal_error"})
    assert verdicts(s, [hit, wrong]) == ["fail"]


@pytest.mark.parametrize(
    ("expectation", "code"),
    [
        ("{tool_errors: {direct_query: [concurrency_limit]}, phase: fault}", "concurrency_limit"),
        ("{codes_seen: {direct_query: [circuit_open]}, phase: fault}", "circuit_open"),
    ],
)
def test_a_code_the_fault_never_provoked_fails_once_the_method_is_over(
    expectation: str, code: str
) -> None:
    """While the phase runs it waits for the code; after it, twelve requests without one
    mean the defence never acted (a bulkhead that admits all, a breaker that never opens)."""
    s = scenario(f"  - {expectation}\n")
    unprovoked = [outcome(Phase.FAULT, "success")] * 11
    assert verdicts(s, unprovoked) == ["inconclusive"]  # too few to call it
    unprovoked.append(outcome(Phase.FAULT, "success"))
    assert undecided(s, unprovoked, Phase.FAULT, last=False, decided={})  # still waiting
    assert verdicts(s, unprovoked) == ["fail"]
    hit = outcome(Phase.FAULT, "partial", errors={"direct_query": code})
    assert verdicts(s, [*unprovoked, hit]) == ["pass"]


def test_codes_seen_waits_until_the_breaker_has_answered() -> None:
    s = scenario("  - {codes_seen: {direct_query: [circuit_open]}, phase: fault}\n")
    timeout = outcome(Phase.FAULT, "degraded", errors={"direct_query": "timeout"})
    refused = outcome(Phase.FAULT, "degraded", errors={"direct_query": "circuit_open"})
    assert verdicts(s, [timeout]) == ["inconclusive"]
    assert verdicts(s, [timeout, refused]) == ["pass"]


def test_a_deadline_bound_is_the_promise_plus_its_grace() -> None:
    s = scenario("  - within_deadline: {deadline_ms: 5000, grace_ms: 1000}\n", faults=False)
    assert verdicts(s, [outcome(Phase.BASELINE, latency_ms=5900)]) == ["pass"]
    assert verdicts(s, [outcome(Phase.BASELINE, latency_ms=6100)]) == ["fail"]


@pytest.mark.parametrize(
    ("fault_ms", "expected"), [(60.0, "pass"), (2000.0, "fail"), (145.0, "inconclusive")]
)
def test_latency_against_the_baseline_brackets_both_sides(fault_ms: float, expected: str) -> None:
    s = scenario("  - {latency_vs_baseline: {percentile: 50, max_ratio: 3}, phase: fault}\n")
    baseline = [outcome(Phase.BASELINE, latency_ms=40.0 + i % 20) for i in range(120)]
    fault = [outcome(Phase.FAULT, latency_ms=fault_ms + i % 10) for i in range(120)]
    assert verdicts(s, baseline + fault) == [expected]


def test_the_baseline_runs_until_a_relative_bound_has_a_baseline_to_compare_with() -> None:
    s = scenario("  - {latency_vs_baseline: {percentile: 50, max_ratio: 3}, phase: fault}\n")
    few = [outcome(Phase.BASELINE, latency_ms=40.0 + i) for i in range(5)]
    assert undecided(s, few, Phase.BASELINE, last=False, decided={})
    many = [outcome(Phase.BASELINE, latency_ms=40.0 + i % 10) for i in range(80)]
    assert not undecided(s, many, Phase.BASELINE, last=False, decided={})


def test_a_phase_that_saw_nothing_is_inconclusive_not_failed() -> None:
    s = scenario('  - {status: {failed: "<= 0"}, phase: recovery}\n')
    (check,) = judge_expectations(s, [outcome(Phase.FAULT)], audit_rows={})
    assert check.verdict == "inconclusive" and not check.passed


def test_requests_caught_in_flight_by_a_fault_count_for_rules_not_for_shares() -> None:
    from dataclasses import replace

    from scenarios.runner.exchange import CAUGHT_IN_FLIGHT

    s = scenario('  - {status: {partial: ">= 0.6", failed: "<= 0"}, phase: fault}\n')
    caught = outcome(Phase.FAULT, "success")
    caught = replace(
        caught,
        answer=replace(
            caught.answer,
            observation=replace(caught.observation, extra={CAUGHT_IN_FLIGHT: True}),
        ),
    )
    sent = [outcome(Phase.FAULT, "partial")] * 12
    assert verdicts(s, [caught] * 6 + sent) == ["pass"]  # the share is of what was sent
    failed = replace(
        caught,
        answer=replace(
            caught.answer, observation=replace(caught.answer.observation, status="failed")
        ),
    )
    assert verdicts(s, [failed, *sent]) == ["fail"]  # but every rule holds for all of them
