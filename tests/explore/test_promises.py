"""An experiment's verdict against the universal promises: only a failed promise is a break,
an undecided one never is, and a world not steady before the method judged nothing."""

from __future__ import annotations

from contract import Promises
from scenarios.explore.promises import Judged, promise_expectations, verdict_of
from scenarios.spec.expectations import EXPECTATION_KINDS
from slo import Check, Verdict


def check(name: str, verdict: Verdict) -> Check:
    return Check("explored", name, verdict, f"{name} detail")


def test_a_failed_promise_is_a_break_named_as_the_promise() -> None:
    verdict = verdict_of(
        [check("within_deadline", Verdict.PASS), check("honest_status", Verdict.FAIL)]
    )
    assert verdict.judged is Judged.BROKEN
    assert verdict.broken == ("honest status",) and verdict.details == ("honest_status detail",)


def test_an_undecided_promise_is_never_a_break() -> None:
    verdict = verdict_of(
        [
            check("status_vs_baseline [fault]", Verdict.INCONCLUSIVE),
            check("honest_status", Verdict.PASS),
        ]
    )
    assert verdict.judged is Judged.UNDECIDED and verdict.broken == ()


def test_a_world_not_steady_before_the_method_judged_nothing() -> None:
    verdict = verdict_of(
        [check("steady state before", Verdict.FAIL), check("honest_status", Verdict.FAIL)]
    )
    assert verdict.judged is Judged.VOID


def test_a_failed_check_that_is_no_promise_is_not_a_break() -> None:
    assert verdict_of([check("stop conditions", Verdict.FAIL)]).judged is Judged.HELD


def test_recovery_after_rollback_is_a_promise() -> None:
    verdict = verdict_of([check("steady state after rollback", Verdict.FAIL)])
    assert verdict.broken == ("steady state after rollback",)


def test_the_promises_are_expectation_kinds_the_suite_has() -> None:
    for abuse_only in (False, True):
        for expectation in promise_expectations(abuse_only=abuse_only):
            kinds = [key for key in expectation if key in EXPECTATION_KINDS]
            assert len(kinds) == 1


def test_isolation_is_judged_during_the_abuse_and_after_it() -> None:
    expectations = promise_expectations(abuse_only=True)
    phases = [e.get("phase") for e in expectations if "status_vs_baseline" in e]
    assert phases == ["fault", "recovery"]
    after = verdict_of([check("status_vs_baseline [recovery]", Verdict.FAIL)])
    assert after.broken == ("tenant isolation",)


def test_the_victims_own_attacks_are_no_other_tenant_s_abuse_to_be_isolated_from() -> None:
    """A missing key or a payload sent as the victims themselves is judged as every
    attack is (honest status, breakers), never as one tenant's abuse of another."""
    own = promise_expectations(abuse_only=True, by_another_tenant=False)
    assert not [e for e in own if "status_vs_baseline" in e]
    assert {"breaker_opens_on_upstream": True} in own


def test_the_deadline_is_the_one_the_system_declares() -> None:
    declared = Promises(request_deadline_seconds=2.0)
    (bound,) = [e for e in promise_expectations(abuse_only=False, declared=declared)][:1]
    assert bound["within_deadline"]["deadline_ms"] == 2000
    (default,) = promise_expectations(abuse_only=False)[:1]
    assert default["within_deadline"]["deadline_ms"] == 5000


def test_a_declared_rate_limit_is_judged_at_one_tenant_s_share() -> None:
    declared = Promises(rate_limits={"direct_query": {"per_minute": 3600, "burst": 40}})
    shared = declared.model_copy(update={"tenant_share": 0.5})
    (whole,) = promise_expectations(abuse_only=False, declared=declared, rate=90)[-1:]
    (half,) = promise_expectations(abuse_only=False, declared=shared, rate=45)[-1:]
    assert whole["calls_within_rate"] == {"direct_query": {"per_second": 60, "burst": 40}}
    assert half["calls_within_rate"] == {"direct_query": {"per_second": 30, "burst": 20}}
    assert half["needs"] == ["tenant_rate_per_second.direct_query"]
    undeclared = promise_expectations(abuse_only=True, declared=Promises(), rate=45)
    assert not any("calls_within_rate" in e for e in undeclared)
    # no tenant of a workload of 30 a second can outrun a share of 30 a second: not judged
    slower = promise_expectations(abuse_only=False, declared=shared, rate=30)
    assert not any("calls_within_rate" in e for e in slower)
    broken = verdict_of([check("calls_within_rate", Verdict.FAIL)])
    assert broken.broken == ("a tenant's share of the rate",)
