"""Internally built contract objects are indistinguishable from validated (or constructed) ones."""

from __future__ import annotations

import dataclasses

import pytest

from orchestrator import CallContext, CallTrace, ToolErrorCode, ToolResult
from orchestrator.contracts import build_unchecked


def test_an_unchecked_result_equals_and_serialises_like_a_validated_one() -> None:
    fields = dict(
        call_id="c",
        tool_id="t",
        success=False,
        data=None,
        error_code=ToolErrorCode.TIMEOUT,
        error_message="cut",
        security_error=False,
        fallback_used=False,
        latency_ms=12.5,
        attempts=1,
    )
    assert set(fields) == set(ToolResult.model_fields)
    unchecked, validated = build_unchecked(ToolResult, **fields), ToolResult(**fields)
    assert unchecked == validated
    assert unchecked.model_dump_json() == validated.model_dump_json()
    assert unchecked.model_dump() == validated.model_dump()
    assert unchecked.model_fields_set == validated.model_fields_set


def test_an_unchecked_trace_entry_equals_a_validated_one() -> None:
    fields = dict(call_id="c", tool_id="t", stage=1, start_ms=0.5, end_ms=3.0)
    assert set(fields) == set(CallTrace.model_fields)
    assert build_unchecked(CallTrace, **fields) == CallTrace(**fields)
    assert build_unchecked(CallTrace, **fields).model_copy(update={"stage": 2}).stage == 2


def test_the_context_built_per_call_equals_a_constructed_one() -> None:
    args = ("r1", "acme", True, "c", {"earlier": 1}, 12.5)
    built, constructed = CallContext.of_call(*args), CallContext(*args)
    assert built == constructed
    assert vars(built) == vars(constructed)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.deadline_at = 0.0  # type: ignore[misc]
