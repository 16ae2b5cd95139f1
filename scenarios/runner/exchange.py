"""One request to the orchestrator service, and what a scenario learns from its answer.

The answer itself is judged by `vocabulary.judge_answer` (the same rules as load and the
pytest plugin); a scenario adds what its expectations need beyond the observation: the
attack that shaped the request, other tenants' rows in the answer, and the audit
acknowledgement.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from contract import ErrorClass, codes_of
from vocabulary import (
    API_KEY_HEADER,
    ORCHESTRATE_PATH,
    Answer,
    Asked,
    Observation,
    Phase,
    judge_answer,
)

from .service_client import ServiceClient, TransportError
from .traffic import PlannedRequest

# Marks a request that started in one phase and was still in flight when the next began:
# it counts in the phase it met for every rule, but not in the shares estimated for that
# phase (it was not sent into it, so it is not a sample of it).
CAUGHT_IN_FLIGHT = "caught_in_flight"

# How long the harness's own loop stalled while a request was in flight (milliseconds), on
# answers where that reached the mark: `within_deadline` does not blame the system for it.
HARNESS_STALL = "harness_stall_ms"
HARNESS_STALL_MARK_MS = 50.0

# The security refusals, as they appear on the wire (derived, so a new code cannot be missed).
SECURITY_CODES = frozenset(code.value for code in codes_of(ErrorClass.SECURITY))

# The ways an audit call may honestly fail: its storage (database and spool) could not take
# the record, or a limit refused the call. Any other failure of the audit, or no audit call
# at all, leaves an answered request owing its record: what the other calls said does not
# excuse it (a system that audits only its successes owes the rest).
AUDIT_STORAGE_FAILURES = frozenset(
    {
        "timeout",
        "connection_error",
        "upstream_error",
        "circuit_open",
        "concurrency_limit",
        "rate_limited",
        "internal_error",
    }
)


@dataclass(frozen=True)
class Outcome:
    """A judged answer plus what the scenario's expectations need beyond it."""

    answer: Answer
    attack: str | None
    leaked_tenants: frozenset[str]  # other tenants whose rows appeared in the answer
    audit_acknowledged: bool  # the audit call succeeded (written or durably spooled)
    # the request's parameters, for the checks that compare the audit record with them
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def observation(self) -> Observation:
        return self.answer.observation

    @property
    def audit_owed(self) -> bool:
        """The request was orchestrated (HTTP 200, a well-formed answer), so it owes one audit
        record, unless its audit call said the record's storage could not take it."""
        if self.answer.http_status != 200 or self.answer.failure is not None:
            return False
        audits = [r for r in self.answer.results if r["tool_id"] == "audit"]
        return not any(
            not r["success"] and r.get("error_code") in AUDIT_STORAGE_FAILURES for r in audits
        )

    @property
    def refusal_codes(self) -> frozenset[str]:
        """Security codes of refused calls (or of the HTTP refusal)."""
        return self.answer.refusal_codes


async def exchange(
    client: ServiceClient,
    request: PlannedRequest,
    *,
    scenario: str,
    phase_of: Callable[[float, float], Phase],
    tenants: Iterable[str],
) -> Outcome:
    """Send `request`; any transport error is an answer too (status `failed`).

    `phase_of(start, end)` (epoch seconds) names the phase the exchange lived through; it
    is asked once the answer is in, so a fault that landed meanwhile is accounted for."""
    started, stalled_s = time.time(), client.stalled_s
    answer = await _post(client, request, _asked(request, scenario, started))
    answer = _with_harness_stall(answer, client.stalled_s - stalled_s)
    answer = _in_lived_phase(answer, phase_of, started)
    others = frozenset(tenants) - {request.tenant}
    leaked = frozenset().union(*(_tenants_in(r.get("data"), others) for r in answer.results))
    audited = any(r["tool_id"] == "audit" and r["success"] for r in answer.results)
    return Outcome(answer, request.attack, leaked, audited, request.parameters)


def _asked(request: PlannedRequest, scenario: str, started: float) -> Asked:
    """What the observation of `request` records about the asking."""
    return Asked(
        ts=started,
        # Attack requests are observed apart: their refusal is the point, not a failure.
        source="attack" if request.attack else "scenario",
        scenario=scenario,
        tenant=request.tenant,
        intent=request.intent,
        extra={"attack": request.attack} if request.attack else {},
    )


async def _post(client: ServiceClient, request: PlannedRequest, asked: Asked) -> Answer:
    """POST `request` and judge the answer; a transport error is judged as one too."""
    headers = {"content-type": "application/json"}
    if request.api_key is not None:
        headers[API_KEY_HEADER] = request.api_key
    clock = time.perf_counter()
    try:
        # ASCII JSON: its escapes carry any text intact, a lone surrogate (audit_poison_record)
        # included, where UTF-8 cannot encode it
        content = json.dumps(request.body(), ensure_ascii=True).encode("ascii")
        reply = await client.request(
            "POST",
            ORCHESTRATE_PATH,
            content=content,
            headers=headers,
            fresh_connection=request.fresh_connection,
        )
    except TransportError as exc:
        return judge_answer(
            asked,
            latency_ms=(time.perf_counter() - clock) * 1000,
            http_status=0,
            content=None,
            transport_error=str(exc),
        )
    latency_ms = (time.perf_counter() - clock) * 1000
    return judge_answer(
        asked, latency_ms=latency_ms, http_status=reply.status, content=reply.content
    )


def _with_harness_stall(answer: Answer, stalled_s: float) -> Answer:
    """`answer`, marked with how long the harness stalled while it was in flight, when
    that is long enough to matter to a deadline (most answers carry no mark)."""
    if stalled_s * 1000 < HARNESS_STALL_MARK_MS:
        return answer
    extra = {**answer.observation.extra, HARNESS_STALL: round(stalled_s * 1000, 1)}
    return replace(answer, observation=replace(answer.observation, extra=extra))


def _in_lived_phase(
    answer: Answer, phase_of: Callable[[float, float], Phase], started: float
) -> Answer:
    """`answer` labelled with the phase its exchange lived through, marked when that is
    not the phase it was sent into."""
    lived, at_start = phase_of(started, time.time()), phase_of(started, started)
    observation = answer.observation.in_phase(lived)
    if lived is not at_start:  # caught in flight by a fault landing (or ending)
        observation = replace(observation, extra={**observation.extra, CAUGHT_IN_FLIGHT: True})
    return replace(answer, observation=observation)


def _tenants_in(data: Any, others: frozenset[str]) -> set[str]:
    """Other tenants' ids found as `tenant_id` values anywhere in `data`."""
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            value = item.get("tenant_id")
            if isinstance(value, str) and value in others:
                found.add(value)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
