"""Tenant isolation judges each victim against itself: its share of `success` while the
abuse lasts against its own share before it, in the same run, with the suite's confidence
sequences on both sides. A system slow when healthy is no find; a collapse is; too few
requests to tell decide nothing (pure: outcomes made here, judged by the runner's code)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from scenarios.explore.promises import ISOLATION, Judged, promise_expectations, verdict_of
from scenarios.runner.exchange import Outcome
from scenarios.runner.expectation_checks import judge_expectations, undecided
from scenarios.spec.model import Scenario
from vocabulary import Answer, Observation, Phase

FLOOD = {"kind": "expensive_query_flood", "share": 0.3, "as_tenant": "initech"}
OK = {"tool_id": "direct_query", "success": True, "fallback_used": False}
CUT = {"tool_id": "metrics", "success": False, "fallback_used": False, "error_code": "timeout"}


def abused() -> Scenario:
    """An experiment of tenant abuse alone, with the promises explore gives it."""
    return Scenario.model_validate(
        {
            "name": "explored",
            "workload": {
                "intents": [{"intent": "service_overview", "parameters": {"service": "checkout"}}],
                "tenants": ["acme"],
                "duration": "6s",
            },
            "faults": [
                {
                    "fault": FLOOD,
                    "start": "2s",
                    "duration": "2s",
                }
            ],
            "expectations": promise_expectations(abuse_only=True),
        }
    )


def victims(phase: Phase, requests: int, success: float) -> list[Outcome]:
    """`requests` answers of the victim in `phase`, the first `success` share of them whole,
    the rest partial (one call cut), each status the honest one."""
    made = []
    for i in range(requests):
        whole = i < round(success * requests)
        status = "success" if whole else "partial"
        results = (OK,) if whole else (OK, CUT)
        observation = Observation(
            ts=0.0,
            scenario="explored",
            phase=phase,
            status=status,
            latency_ms=40.0,
            tool_errors={} if whole else {"metrics": "timeout"},
            request_id=f"{phase}-{i}",
        )
        answer = Answer(observation, status, None, 200, results=results)
        made.append(Outcome(answer, None, frozenset(), audit_acknowledged=False))
    return made


def isolation(outcomes: Sequence[Outcome]) -> tuple[Judged, list[str]]:
    """The isolation promise's verdict, and its checks' verdicts (fault, recovery)."""
    checks = [
        c
        for c in judge_expectations(abused(), outcomes, audit_rows={})
        if c.name.startswith("status_vs_baseline")
    ]
    return verdict_of(checks).judged, [str(c.verdict) for c in checks]


def test_a_victim_slow_when_healthy_that_stays_so_under_abuse_is_no_find() -> None:
    for requests, judged in ((60, Judged.UNDECIDED), (500, Judged.HELD)):
        outcomes = [
            *victims(Phase.BASELINE, requests, 0.8),
            *victims(Phase.FAULT, requests, 0.8),
            *victims(Phase.RECOVERY, requests, 0.8),
        ]
        assert isolation(outcomes)[0] is judged  # never broken; held once the samples show it


def test_a_victim_that_collapses_under_abuse_breaks_isolation() -> None:
    outcomes = [
        *victims(Phase.BASELINE, 60, 0.99),
        *victims(Phase.FAULT, 60, 0.4),
        *victims(Phase.RECOVERY, 60, 0.99),
    ]
    verdict = verdict_of(
        [c for c in judge_expectations(abused(), outcomes, audit_rows={}) if "status_vs" in c.name]
    )
    assert verdict.judged is Judged.BROKEN and verdict.broken == (ISOLATION,)
    assert "vs baseline" in verdict.details[0]


def test_too_few_requests_to_tell_are_undecided_never_a_find() -> None:
    outcomes = [
        *victims(Phase.BASELINE, 4, 1.0),
        *victims(Phase.FAULT, 4, 0.5),
        *victims(Phase.RECOVERY, 4, 1.0),
    ]
    judged, verdicts = isolation(outcomes)
    assert judged is Judged.UNDECIDED and verdicts == ["inconclusive", "inconclusive"]


def test_a_drop_within_the_margin_is_not_a_find_however_many_requests() -> None:
    outcomes = [*victims(Phase.BASELINE, 2000, 0.95), *victims(Phase.FAULT, 2000, 0.85)]
    judged, verdicts = isolation(outcomes)
    assert judged is not Judged.BROKEN and verdicts[0] == "pass"


def test_the_baseline_runs_until_its_share_is_known_within_half_the_margin() -> None:
    scenario = abused()
    few = victims(Phase.BASELINE, 5, 1.0)
    assert undecided(scenario, few, Phase.BASELINE, last=False, decided={})
    many = victims(Phase.BASELINE, 120, 1.0)
    assert not undecided(scenario, many, Phase.BASELINE, last=False, decided={})


def test_a_comparison_with_the_baseline_names_the_phase_it_compares() -> None:
    for phase in ({}, {"phase": "baseline"}):
        expectation = {"status_vs_baseline": {"max_drop": 0.2}, **phase}
        document = abused().model_dump(mode="json", exclude_defaults=True)
        with pytest.raises(ValueError, match="name a phase"):
            Scenario.model_validate({**document, "expectations": [expectation]})
