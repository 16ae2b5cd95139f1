"""Does the system under test really reach its upstreams through Gauntlet's proxies?

Toxiproxy 2.12 counts no bytes, so the check asks the system itself: one request on the
healthy world must answer `success`; then, for each upstream in turn, the same request
with that upstream's proxy disabled must not. A system that still answers `success`
never noticed the proxy was gone: it bypasses it (every fault there would be a no-op),
or it hides the failure. Either way the run cannot judge it, and the message says so.

Only `ops` and `metrics` are checked: every system reads them for the probe's intent. A
further declared upstream (a cache) may honestly not matter to that request, so nothing
here can tell whether the system uses its proxy.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from chaos.faults import BUILTIN_UPSTREAMS
from chaos.remote_world import RemoteWorld
from contract import request_body
from vocabulary import API_KEY_HEADER, ORCHESTRATE_PATH, Asked, judge_answer

PROBE_INTENT = "service_overview"
PROBE_PARAMETERS: dict[str, Any] = {"service": "checkout"}
PROBE_TIMEOUT_S = 30.0


class ProxyBypassed(RuntimeError):
    """The system under test does not (visibly) use Gauntlet's proxies; one line per problem."""


def check_traffic_flows(world: RemoteWorld, url: str) -> list[str]:
    """One line per problem; an empty list when every proxy carries the system's traffic."""
    if not world.tenant_keys:
        return ["no API key to probe with: set GAUNTLET_API_KEYS (JSON, key -> tenant)"]
    tenant, key = next(iter(world.tenant_keys.items()))
    healthy = _probe(url, tenant, key)
    if healthy != "success":
        return [
            f"a {PROBE_INTENT} request on the healthy world answered {healthy!r}, not "
            "'success': Gauntlet cannot tell whether the system uses its proxies"
        ]
    problems = []
    for name, proxy in world.proxies.items():
        if name not in BUILTIN_UPSTREAMS:
            continue
        world.toxiproxy.disable(proxy.name)
        try:
            status = _probe(url, tenant, key)
        finally:
            world.toxiproxy.enable(proxy.name)
        if status == "success":
            problems.append(
                f"{name}: with its proxy ({proxy.listen}) disabled the system still answered "
                f"'success', so its {name} traffic does not go through Gauntlet's proxy and "
                f"every {name} fault would be a no-op (or it hides a failed upstream). "
                f"Point its {name} connection at {proxy.listen}."
            )
    return problems


def _probe(url: str, tenant: str, key: str) -> str:
    body = request_body(tenant, PROBE_INTENT, PROBE_PARAMETERS)
    asked = Asked(ts=time.time(), source="probe", scenario="proxy check", tenant=tenant)
    clock = time.perf_counter()
    try:
        response = httpx.post(
            url + ORCHESTRATE_PATH,
            json=body,
            headers={API_KEY_HEADER: key},
            timeout=PROBE_TIMEOUT_S,
        )
    except httpx.HTTPError as exc:
        latency_ms = (time.perf_counter() - clock) * 1000
        answer = judge_answer(
            asked, latency_ms=latency_ms, http_status=0, content=None, transport_error=str(exc)
        )
    else:
        latency_ms = (time.perf_counter() - clock) * 1000
        answer = judge_answer(
            asked, latency_ms=latency_ms, http_status=response.status_code, content=response.content
        )
    return answer.observation.status
