"""The one judge of a service answer: each rule, and no body that makes it raise."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vocabulary import STATUSES, Asked, Phase, judge_answer

ASKED = Asked(ts=100.0, source="load", scenario="s", tenant="acme", intent="i", request_id="r1")


def _judge(http_status: int, body: object, transport_error: str | None = None):
    content = json.dumps(body).encode() if body is not None else None
    return judge_answer(
        ASKED,
        latency_ms=12.5,
        http_status=http_status,
        content=content,
        transport_error=transport_error,
    )


def test_an_answer_keeps_its_status_tool_errors_fallback_and_refusals() -> None:
    body = {
        "request_id": "server-id",
        "status": "partial",
        "results": [
            {"tool_id": "metrics", "call_id": "m", "success": False, "error_code": "timeout"},
            {"tool_id": "topology", "call_id": "t", "success": True, "fallback_used": True},
            {
                "tool_id": "direct_query",
                "call_id": "q",
                "success": False,
                "error_code": "tenant_violation",
                "security_error": True,
            },
        ],
    }
    answer = _judge(200, body)
    record = answer.observation
    assert (answer.label, answer.failure, answer.http_status) == ("partial", None, 200)
    assert record.status == "partial" and record.request_id == "server-id"
    assert record.tool_errors == {"metrics": "timeout", "direct_query": "tenant_violation"}
    assert record.fallback_used and answer.refusal_codes == {"tenant_violation"}
    assert (record.ts, record.latency_ms, record.tenant, record.phase) == (
        100.0,
        12.5,
        "acme",
        Phase.BASELINE,
    )
    assert record.extra == {"http_status": 200} and len(answer.results) == 3


@pytest.mark.parametrize(
    "http_status, body, error, label, refusals",
    [
        (0, None, "ConnectError: refused", "transport error", set()),
        (503, {"error": "x"}, None, "http 503", set()),
        (401, {"error": "x"}, None, "http 401", {"unauthenticated"}),
        (403, {"error": "x"}, None, "http 403", {"tenant_violation"}),
        (200, {"status": "weird"}, None, "malformed body", set()),
        (200, {"status": "success", "results": [{"success": True}]}, None, "malformed body", set()),
        (
            200,
            {"status": "failed", "results": [{"tool_id": "a", "success": False}]},
            None,
            "malformed body",
            set(),
        ),
        (200, ["success"], None, "malformed body", set()),
        (200, None, None, "malformed body", set()),
    ],
)
def test_no_answer_is_failed_with_a_reason_and_no_invented_tool(
    http_status, body, error, label, refusals
) -> None:
    answer = _judge(http_status, body, error)
    assert answer.label == label and answer.failure
    assert answer.observation.status == "failed" and answer.observation.tool_errors == {}
    assert answer.refusal_codes == refusals and answer.results == ()
    assert answer.observation.request_id == "r1"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
RESULT = st.fixed_dictionaries(
    {},
    optional={
        "tool_id": st.text(max_size=5) | st.integers(),
        "success": st.booleans() | st.none(),
        "error_code": st.text(max_size=5) | st.none(),
        "fallback_used": JSON,
        "security_error": JSON,
        "data": JSON,
    },
)
BODY = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from([*STATUSES, "weird"]) | JSON,
        "results": st.lists(RESULT | JSON, max_size=4) | JSON,
        "request_id": JSON,
    },
)


@given(st.integers(0, 599), BODY | JSON)
def test_any_json_body_is_judged_without_raising(http_status: int, body: object) -> None:
    answer = judge_answer(
        ASKED, latency_ms=1.0, http_status=http_status, content=json.dumps(body).encode()
    )
    assert answer.observation.status in STATUSES
    assert (answer.failure is None) == (answer.label in STATUSES)
    assert all(isinstance(code, str) for code in answer.observation.tool_errors.values())


@given(st.integers(0, 599), st.binary(max_size=64) | st.none())
def test_any_bytes_are_judged_without_raising(http_status: int, content: bytes | None) -> None:
    answer = judge_answer(ASKED, latency_ms=1.0, http_status=http_status, content=content)
    assert answer.observation.status in STATUSES
