"""One request to the orchestrator service, and what the harness learns from its answer."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from orchestrator.contracts import ToolErrorCode
from vocabulary import Observation, Phase

from .traffic import PlannedRequest

API_KEY_HEADER = "X-API-Key"
# The security refusals, as they appear on the wire (derived, so a new code cannot be missed).
SECURITY_CODES = frozenset(code.value for code in ToolErrorCode if code.is_security)


@dataclass(frozen=True)
class Outcome:
    """An observation plus what the scenario's expectations need beyond it."""

    observation: Observation
    attack: str | None
    refusal_codes: frozenset[str]  # security codes of refused calls (or of the HTTP refusal)
    leaked_tenants: frozenset[str]  # other tenants whose rows appeared in the answer
    audit_acknowledged: bool  # the audit call succeeded (written or durably spooled)

    @property
    def security_refused(self) -> bool:
        return bool(self.refusal_codes)


async def exchange(
    client: httpx.AsyncClient,
    request: PlannedRequest,
    *,
    scenario: str,
    phase: Phase,
    tenants: Iterable[str],
) -> Outcome:
    """Send `request`; any transport error is an answer too (status `failed`)."""
    headers = {API_KEY_HEADER: request.api_key} if request.api_key is not None else {}
    started = time.time()
    clock = time.perf_counter()
    try:
        response = await client.post("/v1/orchestrate", json=request.body(), headers=headers)
        latency_ms = (time.perf_counter() - clock) * 1000
    except httpx.HTTPError as exc:
        latency_ms = (time.perf_counter() - clock) * 1000
        return _refused(
            request,
            scenario,
            phase,
            started,
            latency_ms,
            "transport",
            type(exc).__name__,
            http_status=0,
        )
    if response.status_code == 401:
        return _refused(
            request,
            scenario,
            phase,
            started,
            latency_ms,
            "http",
            "unauthenticated",
            http_status=401,
        )
    if response.status_code != 200:
        return _refused(
            request,
            scenario,
            phase,
            started,
            latency_ms,
            "http",
            f"http_{response.status_code}",
            http_status=response.status_code,
        )
    body = response.json()
    results = body.get("results", [])
    observation = Observation(
        ts=started,
        source=_source(request),
        scenario=scenario,
        phase=phase,
        request_id=body.get("request_id", ""),
        tenant=request.tenant,
        intent=request.intent,
        status=body["status"],
        latency_ms=latency_ms,
        tool_errors={r["tool_id"]: r["error_code"] for r in results if not r["success"]},
        fallback_used=bool(body.get("fallback_tools")),
        extra={"attack": request.attack} if request.attack else {},
    )
    refusals = frozenset(
        r["error_code"]
        for r in results
        if r.get("security_error") or r.get("error_code") in SECURITY_CODES
    )
    others = frozenset(tenants) - {request.tenant}
    leaked = frozenset().union(*(_tenants_in(r.get("data"), others) for r in results))
    audited = any(r["tool_id"] == "audit" and r["success"] for r in results)
    return Outcome(observation, request.attack, refusals, leaked, audited)


def _refused(
    request: PlannedRequest,
    scenario: str,
    phase: Phase,
    started: float,
    latency_ms: float,
    where: str,
    code: str,
    *,
    http_status: int,
) -> Outcome:
    observation = Observation(
        ts=started,
        source=_source(request),
        scenario=scenario,
        phase=phase,
        tenant=request.tenant,
        intent=request.intent,
        status="failed",
        latency_ms=latency_ms,
        tool_errors={where: code},
        extra={
            "http_status": http_status,
            **({"attack": request.attack} if request.attack else {}),
        },
    )
    codes = frozenset({code}) if code in SECURITY_CODES else frozenset()
    return Outcome(observation, request.attack, codes, frozenset(), False)


def _source(request: PlannedRequest) -> str:
    """Attack requests are observed apart: their refusal is the point, not a failure."""
    return "attack" if request.attack else "scenario"


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
