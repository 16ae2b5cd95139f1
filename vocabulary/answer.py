"""The one judge of a service answer: what the harness learns from one `POST /v1/orchestrate`.

Scenarios, load (inside Locust's process) and the pytest plugin all send the request
their own way, then hand what came back to `judge_answer`, a pure function. It never
raises, whatever the bytes, and decides by these rules, first match wins:

1. **No HTTP answer** (a transport error, or HTTP status 0): `failed`, label
   `transport error`, `extra.transport_error` says why.
2. **An HTTP status other than 200**: `failed`, label `http N`, `extra.http_status`.
   401 is a refusal with code `unauthenticated` and 403 one with `tenant_violation`
   (the service's documented meanings: missing/unknown key; a body naming another
   tenant); other statuses refuse nothing.
3. **A malformed body** (HTTP 200, but not JSON, not an object, a `status` outside the
   four, `results` not a list of tool results each with a string `tool_id`, a boolean
   `success` and, when it failed, a string `error_code`): `failed`, label
   `malformed body`, `extra.malformed_body` names the first problem.
4. **An answer**: the body's status; `tool_errors` maps the tool id of each failed call
   to its error code (the last one if a tool failed twice); `fallback_used` when any call
   fell back; the refusal codes are those of calls flagged `security_error`; the request
   id is the body's when it has one.

In the first three cases the service did not answer the question, so `failure` says why
(load counts a Locust failure) and no tool error is recorded: tool errors are only ever
keyed by real tool ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import from_json

from contract import API_KEY_HEADER, ORCHESTRATE_PATH

from .observation import Observation
from .phase import Phase
from .status import STATUSES, Status

__all__ = ["API_KEY_HEADER", "ORCHESTRATE_PATH", "Answer", "Asked", "judge_answer"]

# The service's side of the wire, as every harness client calls it.
OK = 200
_REFUSAL_BY_HTTP_STATUS = {401: "unauthenticated", 403: "tenant_violation"}


@dataclass(frozen=True)
class Asked:
    """What the harness sent: the parts of the observation an answer cannot tell."""

    ts: float  # request start (or its scheduled slot), epoch seconds
    source: str  # 'scenario', 'attack' or 'load'
    scenario: str
    tenant: str = ""
    intent: str = ""
    request_id: str = ""
    phase: Phase = Phase.BASELINE
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """The judged exchange: the observation, plus what callers need beyond it."""

    observation: Observation
    label: str  # a status, 'transport error', 'http N' or 'malformed body'
    failure: str | None  # why the service did not answer the question (None: it did)
    http_status: int  # 0: no HTTP answer arrived
    refusal_codes: frozenset[str] = frozenset()
    results: tuple[Mapping[str, Any], ...] = ()  # the tool results of an answer
    body: Any = None  # the parsed JSON body, if it was JSON


def judge_answer(
    asked: Asked,
    *,
    latency_ms: float,
    http_status: int,
    content: bytes | None,
    transport_error: str | None = None,
) -> Answer:
    """Judge one exchange by the module's rules; never raises."""
    if transport_error is not None or http_status == 0:
        reason = transport_error or "no response"
        record = _record(asked, latency_ms, extra={"http_status": 0, "transport_error": reason})
        return Answer(record, "transport error", reason, 0)
    body = _parse(content)
    if http_status != OK:
        refusal = _REFUSAL_BY_HTTP_STATUS.get(http_status)
        record = _record(asked, latency_ms, extra={"http_status": http_status})
        codes = frozenset({refusal}) if refusal else frozenset()
        label, reason = f"http {http_status}", f"HTTP {http_status}"
        return Answer(record, label, reason, http_status, codes, (), body)
    problem = _malformation(body)
    if problem is not None:
        extra = {"http_status": http_status, "malformed_body": problem}
        record = _record(asked, latency_ms, extra=extra)
        reason = f"malformed body: {problem}"
        return Answer(record, "malformed body", reason, http_status, body=body)
    results = tuple(body.get("results", ()))
    request_id = body.get("request_id")
    record = _record(
        asked,
        latency_ms,
        status=body["status"],
        request_id=request_id if isinstance(request_id, str) and request_id else None,
        tool_errors={r["tool_id"]: r["error_code"] for r in results if not r["success"]},
        fallback_used=any(r.get("fallback_used") is True for r in results),
        extra={"http_status": http_status},
    )
    refusals = frozenset(
        r["error_code"] for r in results if r.get("security_error") is True and r.get("error_code")
    )
    return Answer(record, body["status"], None, http_status, refusals, results, body)


def _record(
    asked: Asked,
    latency_ms: float,
    *,
    extra: Mapping[str, object],
    status: str = Status.FAILED,
    request_id: str | None = None,
    tool_errors: dict[str, str] | None = None,
    fallback_used: bool = False,
) -> Observation:
    """The observation: what was asked, and what the judge made of the answer."""
    return Observation(
        ts=asked.ts,
        source=asked.source,
        scenario=asked.scenario,
        phase=asked.phase,
        request_id=request_id or asked.request_id,
        tenant=asked.tenant,
        intent=asked.intent,
        status=status,
        latency_ms=max(latency_ms, 0.0),
        tool_errors=tool_errors or {},
        fallback_used=fallback_used,
        extra={**asked.extra, **extra},
    )


def _parse(content: bytes | None) -> Any:
    if not content:
        return None
    try:
        # pydantic's JSON parser: three times `json.loads`'s speed on an answer, and this
        # runs once per request inside the load generator.
        return from_json(content)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or absurdly nested
        return None


def _malformation(body: Any) -> str | None:
    """The first way `body` misses the response shape, or None when it fits."""
    if not isinstance(body, dict):
        return "not a JSON object"
    if body.get("status") not in STATUSES:
        return f"'status' is not one of {', '.join(STATUSES)}"
    results = body.get("results", [])
    if not isinstance(results, list):
        return "'results' is not a list"
    for index, result in enumerate(results):
        if not isinstance(result, dict) or not isinstance(result.get("tool_id"), str):
            return f"results[{index}] has no string 'tool_id'"
        if not isinstance(result.get("success"), bool):
            return f"results[{index}] has no boolean 'success'"
        if not result["success"] and not isinstance(result.get("error_code"), str):
            return f"results[{index}] failed without a string 'error_code'"
    return None
