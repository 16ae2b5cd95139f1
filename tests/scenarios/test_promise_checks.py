"""Checks that judge a promise, never an incidental of the reference, and that tell a fault
which landed from one that never reached the system (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
import yaml

from contract import status_of
from scenarios.runner.exchange import HARNESS_STALL, Outcome
from scenarios.runner.expectation_checks import judge_expectations, undecided
from scenarios.spec.model import Scenario
from vocabulary import Answer, Observation, Phase


def scenario(expectation: str) -> Scenario:
    return Scenario.model_validate(
        yaml.safe_load(
            "name: s\nworkload:\n"
            "  intents: [{intent: service_overview, parameters: {service: checkout}}]\n"
            "  tenants: [acme]\n  duration: 5s\n"
            "faults: [{fault: {kind: limit_data, upstream: metrics, bytes: 1024}, start: 1s,"
            " duration: 2s}]\n"
            f"expectations:\n  - {expectation}\n"
        )
    )


def call(tool: str, success: bool = True, fallback: bool = False, code: str = "") -> dict:
    result: dict[str, Any] = {"tool_id": tool, "success": success, "fallback_used": fallback}
    if not success:
        result["error_code"] = code
    return result


def answered(
    status: str,
    results: Sequence[dict],
    *,
    phase: Phase = Phase.FAULT,
    latency_ms: float = 50.0,
    attack: str | None = None,
    http_status: int = 200,
) -> Outcome:
    errors = {r["tool_id"]: r["error_code"] for r in results if not r["success"]}
    observation = Observation(
        ts=0.0,
        scenario="s",
        phase=phase,
        status=status,
        latency_ms=latency_ms,
        tool_errors=errors,
        request_id="r",
    )
    label = status if http_status == 200 else f"http {http_status}"
    failure = None if http_status == 200 else f"HTTP {http_status}"
    answer = Answer(observation, label, failure, http_status, results=tuple(results))
    audited = any(r["tool_id"] == "audit" and r["success"] for r in results)
    return Outcome(answer, attack, frozenset(), audited)


def verdicts(s: Scenario, outcomes: Sequence[Outcome]) -> list[str]:
    return [c.verdict for c in judge_expectations(s, outcomes, audit_rows={})]


HEALTHY = [call("direct_query"), call("metrics"), call("topology"), call("audit")]
CUT = [call("direct_query"), call("metrics", False, code="connection_error"), call("audit")]


@pytest.mark.parametrize(
    ("calls", "status"),
    [
        ([], "failed"),
        ([(True, False)], "success"),
        ([(True, False), (True, True)], "partial"),
        ([(True, False), (False, False)], "partial"),
        ([(True, True), (False, False)], "degraded"),
        ([(False, False)], "failed"),
    ],
)
def test_the_status_rule_of_the_contract(calls: list[tuple[bool, bool]], status: str) -> None:
    assert status_of(calls) == status


def test_a_cut_call_may_be_any_share_but_its_answer_must_not_say_success() -> None:
    """One cut call in twenty is as honest as twenty in twenty: the share is the size of
    the system's answers, not a promise; a cut answered as `success` is the lie."""
    s = scenario("honest_status: true")
    few_cuts = [answered("success", HEALTHY)] * 19 + [answered("partial", CUT)]
    assert verdicts(s, few_cuts) == ["pass"]
    assert verdicts(s, [*few_cuts, answered("success", CUT)]) == ["fail"]
    spooled = [call("direct_query", False, code="connection_error"), call("audit", True, True)]
    assert verdicts(s, [answered("degraded", spooled)]) == ["pass"]
    assert verdicts(s, [answered("partial", spooled)]) == ["fail"]


def test_a_breaker_may_refuse_only_a_tool_that_failed_upstream() -> None:
    """A tenant's `SELECT 1/0` says nothing of the database: a breaker it opens refuses
    for nothing. After timeouts, any tenant's, `circuit_open` is an honest answer."""
    s = scenario("breaker_opens_on_upstream: true")
    caller = [call("direct_query", False, code="invalid_arguments"), call("audit")]
    timed_out = [call("direct_query", False, code="timeout"), call("audit")]
    refused = [call("direct_query", False, code="circuit_open"), call("audit")]
    by_own_errors = [answered("partial", caller)] * 4 + [answered("partial", refused)] * 3
    assert verdicts(s, by_own_errors) == ["fail"]
    assert verdicts(s, [answered("partial", timed_out), *by_own_errors]) == ["pass"]
    assert verdicts(s, [answered("success", HEALTHY)] * 5 + [answered("partial", caller)]) == [
        "pass"
    ]


def test_a_fault_that_never_reached_the_system_is_inconclusive_however_long_it_ran() -> None:
    s = scenario("{fault_landed: {metrics: [connection_error, timeout]}, phase: fault}")
    untouched = [answered("success", HEALTHY)] * 40
    assert verdicts(s, untouched) == ["inconclusive"]
    assert undecided(s, untouched, Phase.FAULT, last=False, decided={})  # keeps watching
    assert verdicts(s, [*untouched, answered("partial", CUT)]) == ["pass"]
    wrong = [call("metrics", False, code="internal_error"), call("audit")]
    assert verdicts(s, [answered("partial", CUT), answered("partial", wrong)]) == ["fail"]


def test_an_attack_refused_up_front_never_reached_the_audit_path() -> None:
    s = scenario("attacks_audited: 2")
    poison = "audit_poison_record"
    audited = answered("partial", CUT, attack=poison)
    refused = answered("failed", [], attack=poison, http_status=422)
    assert verdicts(s, [answered("success", HEALTHY)]) == ["inconclusive"]  # none sent
    assert verdicts(s, [audited]) == ["inconclusive"]  # too few to have tried every form
    assert verdicts(s, [audited, audited]) == ["pass"]
    (check,) = judge_expectations(s, [audited, refused], audit_rows={})
    assert check.verdict == "inconclusive" and "http 422: 1" in check.detail


@pytest.mark.parametrize(
    ("base_ms", "added_ms", "expected"),
    [(8.0, 18.0, "pass"), (56.0, 18.0, "pass"), (8.0, 600.0, "fail"), (56.0, 600.0, "fail")],
)
def test_added_latency_weighs_the_same_on_a_fast_and_a_slow_system(
    base_ms: float, added_ms: float, expected: str
) -> None:
    """The same fixed cost is 3x a fast system's median and 1.3x a slow one's: an additive
    bound judges both alike, where a ratio would punish the fast one."""
    s = scenario("{latency_added: {percentile: 50, max_added_ms: 250}, phase: fault}")
    outcomes = [
        answered("success", HEALTHY, phase=p, latency_ms=ms + i % 5)
        for i in range(120)
        for p, ms in ((Phase.BASELINE, base_ms), (Phase.FAULT, base_ms + added_ms))
    ]
    assert verdicts(s, outcomes) == [expected]


def test_the_baseline_runs_until_an_added_bound_has_a_baseline_to_compare_with() -> None:
    s = scenario("{latency_added: {percentile: 50, max_added_ms: 250}, phase: fault}")
    few = [
        answered("success", HEALTHY, phase=Phase.BASELINE, latency_ms=40.0 + i) for i in range(3)
    ]
    assert undecided(s, few, Phase.BASELINE, last=False, decided={})
    many = [
        answered("success", HEALTHY, phase=Phase.BASELINE, latency_ms=40.0 + i % 10)
        for i in range(80)
    ]
    assert not undecided(s, many, Phase.BASELINE, last=False, decided={})


def test_an_empty_list_of_landing_codes_is_refused() -> None:
    with pytest.raises(ValueError, match="name the codes"):
        scenario("{fault_landed: {metrics: []}, phase: fault}")


def attacked(expectation: str) -> Scenario:
    return Scenario.model_validate(
        yaml.safe_load(
            "name: s\nworkload:\n"
            "  intents: [{intent: service_overview, parameters: {service: checkout}}]\n"
            "  tenants: [acme, globex]\n  duration: 5s\n"
            "attacks: [{kind: cross_tenant_query, share: 0.2}]\n"
            f"expectations:\n  - {expectation}\n"
        )
    )


def attack(results: Sequence[dict], *, http_status: int = 200, leaked: str = "") -> Outcome:
    outcome = answered(
        "partial" if any(not r["success"] for r in results) else "success",
        results,
        phase=Phase.BASELINE,
        attack="cross_tenant_query",
        http_status=http_status,
    )
    return replace(outcome, leaked_tenants=frozenset({leaked} - {""}))


REFUSED = [call("direct_query", False, code="tenant_violation"), call("audit")]
HONEST_EMPTY = [call("direct_query"), call("audit")]


@pytest.mark.parametrize("results", [REFUSED, HONEST_EMPTY], ids=["refused", "empty"])
def test_a_refusal_and_an_honest_empty_answer_both_contain_the_attack(results: list) -> None:
    assert verdicts(attacked("attacks_contained: true"), [attack(results)] * 12) == ["pass"]


def test_one_foreign_row_in_an_attack_answer_fails() -> None:
    outcomes = [attack(HONEST_EMPTY)] * 11 + [attack(HONEST_EMPTY, leaked="globex")]
    assert verdicts(attacked("attacks_contained: true"), outcomes) == ["fail"]


def test_attacks_refused_up_front_never_reached_the_system() -> None:
    """A 422 before anything ran tests nothing: never a pass, however many were sent."""
    outcomes = [attack([], http_status=422)] * 30 + [attack(REFUSED)] * 3
    judged = judge_expectations(attacked("attacks_contained: true"), outcomes, audit_rows={})
    assert [c.verdict for c in judged] == ["inconclusive"]
    assert "http 422" in judged[0].detail


def test_refused_with_accepts_every_listed_code_and_fails_an_attack_that_ran() -> None:
    s = attacked("attacks_contained: {refused_with: [unsafe_query, invalid_arguments]}")
    syntax = [call("direct_query", False, code="invalid_arguments"), call("audit")]
    unsafe = [call("direct_query", False, code="unsafe_query"), call("audit")]
    assert verdicts(s, [attack(syntax)] * 6 + [attack(unsafe)] * 6) == ["pass"]
    assert verdicts(s, [attack(unsafe)] * 12 + [attack(HONEST_EMPTY)]) == ["fail"]


def test_own_traffic_tool_errors_ignore_the_attacks_refusals() -> None:
    s = attacked("{tool_errors: {direct_query: []}, traffic: own}")
    own = [answered("success", HEALTHY, phase=Phase.BASELINE)] * 12
    assert verdicts(s, own + [attack(REFUSED)] * 12) == ["pass"]
    cancelled = [call("direct_query", False, code="timeout"), call("audit")]
    victim = answered("partial", cancelled, phase=Phase.BASELINE)
    assert verdicts(s, [*own, victim]) == ["fail"]


RATE_EXPECTATION = (
    "{tool_errors: {direct_query: [rate_limited]},"
    " owed_past_rate: {per_second: 30, burst: 20}, phase: fault}"
)
# its calls-let-through half alone, whatever the refusals
SHARE_OF_RATE = "calls_within_rate: {direct_query: {per_second: 30, burst: 20}}"


def sent_at(times: Sequence[float]) -> list[Outcome]:
    """Successful answers from one tenant, sent at `times`."""
    outcomes = []
    for index, ts in enumerate(times):
        outcome = answered("success", HEALTHY)
        observation = replace(outcome.observation, ts=ts, tenant="globex", request_id=f"r{index}")
        outcomes.append(replace(outcome, answer=replace(outcome.answer, observation=observation)))
    return outcomes


def test_rate_refusals_never_seen_from_a_system_too_slow_to_be_over_its_rate_are_not_a_fail() -> (
    None
):
    # 300 requests over 12 s: 25 a second never outrun 30 a second with a burst of 20
    slow = sent_at([i * 0.04 for i in range(300)])
    (check,) = judge_expectations(scenario(RATE_EXPECTATION), slow, audit_rows={})
    assert check.verdict == "inconclusive", check.detail
    assert "outran" in check.detail


def test_rate_refusals_never_seen_from_requests_over_the_rate_are_a_fail() -> None:
    # 300 requests over 3 s: 100 a second, far past 30 a second with a burst of 20
    fast = sent_at([i * 0.01 for i in range(300)])
    (check,) = judge_expectations(scenario(RATE_EXPECTATION), fast, audit_rows={})
    assert check.verdict == "fail", check.detail


def test_a_span_over_the_rate_owes_refusals_though_the_whole_run_is_not() -> None:
    from scenarios.runner.offered_rate import outran

    # 60 requests in the first half second, then a trickle: only the burst is over
    times = [i / 120 for i in range(60)] + [1 + i for i in range(20)]
    assert outran(sent_at(times), per_second=30, burst=20).owed
    assert not outran(sent_at([i for i in range(60)]), per_second=30, burst=20).owed


def bucket_answers(times: Sequence[float], per_second: float, burst: float) -> list[Outcome]:
    """One tenant's answers to requests sent at `times`, from a token bucket of that size
    (refusing `rate_limited` when empty), each answered in 50 ms."""
    tokens, last, outcomes = burst, times[0], []
    limited = [call("direct_query", False, code="rate_limited"), call("audit")]
    for index, ts in enumerate(times):
        tokens, last = min(burst, tokens + (ts - last) * per_second), ts
        admitted = tokens >= 1
        tokens -= admitted
        outcome = answered("success" if admitted else "partial", HEALTHY if admitted else limited)
        observation = replace(outcome.observation, ts=ts, tenant="globex", request_id=f"r{index}")
        outcomes.append(replace(outcome, answer=replace(outcome.answer, observation=observation)))
    return outcomes


@pytest.mark.parametrize("expectation", [RATE_EXPECTATION, SHARE_OF_RATE])
def test_refusals_at_the_tenants_share_of_the_rate_pass(expectation: str) -> None:
    # 100 requests a second for 3 s against the share the expectation names (30/s, 20)
    share = bucket_answers([i * 0.01 for i in range(300)], per_second=30, burst=20)
    (check,) = judge_expectations(scenario(expectation), share, audit_rows={})
    assert check.verdict == "pass", check.detail


@pytest.mark.parametrize("expectation", [RATE_EXPECTATION, SHARE_OF_RATE])
def test_refusals_only_past_the_whole_tools_rate_are_a_fail(expectation: str) -> None:
    # a tool-wide bucket of twice the share refuses too, but lets the tenant past its share
    tool_wide = bucket_answers([i * 0.01 for i in range(300)], per_second=60, burst=40)
    (check,) = judge_expectations(scenario(expectation), tool_wide, audit_rows={})
    assert check.verdict == "fail", check.detail
    assert "globex's direct_query calls let through overran 30/s" in check.detail


def test_slow_answers_widen_the_span_a_bucket_is_held_to() -> None:
    from scenarios.runner.offered_rate import admitted_past

    # 26 successes sent within 0.1 s and answered in 50 ms overrun 30/s with a burst of 20
    fast = bucket_answers([i * 0.004 for i in range(26)], per_second=1000, burst=1000)
    assert admitted_past(fast, "direct_query", per_second=30, burst=20).owed
    # the last 5 answered a second later may have been admitted a second later: allowed
    slow = [*fast[:21]]
    for outcome in fast[21:]:
        late = replace(outcome.observation, latency_ms=1000.0)
        slow.append(replace(outcome, answer=replace(outcome.answer, observation=late)))
    assert not admitted_past(slow, "direct_query", per_second=30, burst=20).owed


def _stalled(outcome: Outcome, stall_ms: float) -> Outcome:
    """`outcome` as if the harness's own loop stalled `stall_ms` while it was in flight."""
    observation = outcome.observation
    extra = {**observation.extra, HARNESS_STALL: stall_ms}
    answer = replace(outcome.answer, observation=replace(observation, extra=extra))
    return replace(outcome, answer=answer)


@pytest.mark.parametrize(
    "expectation", ["within_deadline: {deadline_ms: 5000, grace_ms: 1000}", "max_latency_ms: 6000"]
)
def test_an_answer_late_only_by_the_harness_s_own_stall_is_not_the_system_s_lateness(
    expectation: str,
) -> None:
    """Read 8 s after the send while the harness's loop stalled 3 s: the system may have
    answered in 5 s, so nothing can be shown (inconclusive, never a fail); late even
    without the stall, it is the system's (fail); on time, a pass."""
    s = scenario(expectation)
    on_time = [answered("success", HEALTHY, latency_ms=900)] * 5
    read_late = _stalled(answered("success", HEALTHY, latency_ms=8000), 3000)
    system_late = _stalled(answered("success", HEALTHY, latency_ms=8000), 1500)
    assert verdicts(s, on_time) == ["pass"]
    assert verdicts(s, [*on_time, read_late]) == ["inconclusive"]
    assert verdicts(s, [*on_time, read_late, system_late]) == ["fail"]
    assert verdicts(s, [*on_time, answered("success", HEALTHY, latency_ms=6500)]) == ["fail"]


def test_a_limit_that_admits_one_call_passes_and_one_that_refuses_everything_fails() -> None:
    """`tools_admitted` is a rule: one success of the tool, on its own, proves it; a
    fallback or an attack's success does not; a method over with none fails."""
    s = scenario("tools_admitted: [direct_query]")
    refused = [call("direct_query", False, code="concurrency_limit"), call("audit", True, True)]
    shed = [answered("degraded", refused)] * 20
    by_fallback = answered("partial", [call("direct_query", True, True), call("audit")])
    by_attack = answered("success", HEALTHY, attack="flood")
    assert verdicts(s, [*shed, answered("success", HEALTHY)]) == ["pass"]
    assert verdicts(s, [*shed, by_fallback, by_attack]) == ["fail"]
    assert verdicts(s, shed[:3]) == ["inconclusive"]  # too few requests to say


def test_a_share_of_the_rate_never_outrun_is_not_put_to_the_test() -> None:
    # 25 requests a second, all let through: no bucket of 30 a second was ever needed
    slow = bucket_answers([i * 0.04 for i in range(300)], per_second=1000, burst=1000)
    (check,) = judge_expectations(scenario(SHARE_OF_RATE), slow, audit_rows={})
    assert check.verdict == "inconclusive", check.detail


def test_a_share_of_the_rate_holds_the_last_stretch_open_until_a_tenant_outran_it() -> None:
    """Judged after the method (an answer in flight may widen a span), but it keeps the
    method's last stretch going until some tenant was over the bucket: before that, a
    system that keeps the share is not told from one that does not."""
    s = scenario(SHARE_OF_RATE)
    slow = bucket_answers([i * 0.04 for i in range(30)], per_second=1000, burst=1000)
    assert undecided(s, slow, Phase.FAULT, last=True, decided={}) == ["calls_within_rate"]
    assert undecided(s, slow, Phase.FAULT, last=False, decided={}) == []
    fast = bucket_answers([i * 0.01 for i in range(300)], per_second=30, burst=20)
    assert undecided(s, fast, Phase.FAULT, last=True, decided={}) == []
