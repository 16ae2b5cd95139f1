"""aggregate_status over arbitrary mixes of outcomes, against DESIGN.md's definitions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from orchestrator import OrchestrationStatus, ToolErrorCode, ToolResult, aggregate_status

PRIMARY, FALLBACK, FAILURE = "primary", "fallback", "failure"


def _result(index: int, kind: str) -> ToolResult:
    if kind == FAILURE:
        return ToolResult(
            call_id=f"c{index}", tool_id="t", success=False, error_code=ToolErrorCode.TIMEOUT
        )
    return ToolResult(
        call_id=f"c{index}", tool_id="t", success=True, fallback_used=kind == FALLBACK
    )


@given(st.lists(st.sampled_from([PRIMARY, FALLBACK, FAILURE]), max_size=12))
def test_status_follows_the_design_definitions(kinds: list[str]) -> None:
    status = aggregate_status(_result(i, k) for i, k in enumerate(kinds))
    any_primary = PRIMARY in kinds
    if kinds and all(k == PRIMARY for k in kinds):
        assert status is OrchestrationStatus.SUCCESS
    elif any_primary:
        assert status is OrchestrationStatus.PARTIAL
    elif FALLBACK in kinds:
        assert status is OrchestrationStatus.DEGRADED
    else:
        assert status is OrchestrationStatus.FAILED


@given(st.lists(st.sampled_from([PRIMARY, FALLBACK, FAILURE]), min_size=1, max_size=12))
def test_status_does_not_depend_on_order(kinds: list[str]) -> None:
    results = [_result(i, k) for i, k in enumerate(kinds)]
    assert aggregate_status(results) is aggregate_status(reversed(results))


def test_a_fallback_result_is_not_a_primary_success() -> None:
    assert aggregate_status([_result(0, FALLBACK)]) is OrchestrationStatus.DEGRADED
    assert (
        aggregate_status([_result(0, PRIMARY), _result(1, FALLBACK)]) is OrchestrationStatus.PARTIAL
    )


def test_no_calls_is_failed() -> None:
    assert aggregate_status([]) is OrchestrationStatus.FAILED
