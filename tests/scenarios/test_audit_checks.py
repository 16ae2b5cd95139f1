"""The audit checks judge every answered request, whatever its tool calls said, and the
whole of what it sent (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from scenarios.runner.exchange import Outcome
from scenarios.runner.expectation_checks import judge_expectations
from scenarios.spec.model import Scenario
from vocabulary import Answer, Observation, Phase

SQL = "SELECT service FROM ops.services WHERE service NOT IN (" + "'x', " * 200 + "'y')"
SCENARIO = Scenario.model_validate(
    yaml.safe_load(
        "name: s\nworkload:\n"
        "  intents: [{intent: service_overview, parameters: {service: checkout}}]\n"
        "  tenants: [acme]\n  duration: 5s\n"
        "expectations:\n  - audit_exactly_once: true\n  - audit_detail_whole: true\n"
    )
)


def outcome(
    request_id: str,
    status: str,
    results: Sequence[dict[str, Any]],
    *,
    http_status: int = 200,
    parameters: dict[str, Any] | None = None,
) -> Outcome:
    observation = Observation(
        ts=0.0, scenario="s", phase=Phase.FAULT, status=status, latency_ms=5.0,
        request_id=request_id, tenant="acme",
    )  # fmt: skip
    failure = None if http_status == 200 else f"HTTP {http_status}"
    label = status if http_status == 200 else f"http {http_status}"
    answer = Answer(observation, label, failure, http_status, results=tuple(results))
    audited = any(r["tool_id"] == "audit" and r["success"] for r in results)
    return Outcome(answer, None, frozenset(), audited, parameters or {})


OK = {"tool_id": "direct_query", "success": True}
CUT = {"tool_id": "metrics", "success": False, "error_code": "timeout"}
AUDITED = {"tool_id": "audit", "success": True}


def judged(outcomes: Sequence[Outcome], rows: dict, details: dict | None = None) -> list[Any]:
    return judge_expectations(SCENARIO, outcomes, audit_rows=rows, audit_details=details or {})


def test_a_partial_answer_with_no_audit_call_still_owes_its_record() -> None:
    outcomes = [outcome("a", "success", [OK, AUDITED]), outcome("b", "partial", [OK, CUT])]
    exactly_once, _ = judged(outcomes, {("acme", "a"): 1})
    assert exactly_once.verdict == "fail"
    assert "1 answered requests without a record (1 of them" in exactly_once.detail


def test_an_audit_that_failed_for_its_storage_excuses_the_record() -> None:
    spool_full = {"tool_id": "audit", "success": False, "error_code": "internal_error"}
    outcomes = [outcome("b", "partial", [OK, spool_full])]
    exactly_once, _ = judged(outcomes, {})
    assert exactly_once.verdict == "pass"


def test_an_audit_said_not_run_because_another_call_failed_is_no_excuse() -> None:
    skipped = {"tool_id": "audit", "success": False, "error_code": "dependency_failed"}
    exactly_once, _ = judged([outcome("b", "partial", [CUT, skipped])], {})
    assert exactly_once.verdict == "fail"


def test_a_refused_request_owes_nothing() -> None:
    exactly_once, _ = judged([outcome("c", "failed", [], http_status=422)], {})
    assert exactly_once.verdict == "pass"


def test_a_record_holding_the_whole_sql_passes_and_a_cut_one_fails() -> None:
    whole = outcome("a", "success", [OK, AUDITED], parameters={"sql": SQL})
    key = ("acme", "a")
    _, detail = judged([whole], {key: 1}, {key: {"intent": "q", "parameters": {"sql": SQL}}})
    assert detail.verdict == "pass", detail.detail
    nested = {"calls": [{"arguments": {"text": SQL}}]}  # any layout, the text whole
    _, detail = judged([whole], {key: 1}, {key: nested})
    assert detail.verdict == "pass", detail.detail
    _, detail = judged([whole], {key: 1}, {key: {"parameters": {"sql": SQL[:500]}}})
    assert detail.verdict == "fail"
    assert f"{len(SQL)} characters sent" in detail.detail


def test_no_record_to_compare_is_inconclusive() -> None:
    only = outcome("a", "success", [OK, AUDITED], parameters={"sql": SQL})
    _, detail = judged([only], {}, {})
    assert detail.verdict == "inconclusive"
