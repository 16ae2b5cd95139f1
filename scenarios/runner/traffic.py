"""The requests a scenario sends: a seeded draw from its workload, with attacks mixed in.

Pure: no I/O. The same seed and scenario give the same sequence of requests, so a
failing run can be replayed.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chaos.faults import (
    AuditIdSquatFault,
    CrossTenantQueryFault,
    ForgedApiKeyFault,
    InjectionFault,
    MissingApiKeyFault,
    SqlAttack,
    TenantAttack,
)
from contract import request_body
from scenarios.spec.model import Workload


@dataclass(frozen=True)
class PlannedRequest:
    tenant: str
    intent: str
    parameters: dict[str, Any]
    api_key: str | None  # None: sent without a key
    attack: str | None = None  # the attack kind that shaped this request
    body_extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {**request_body(self.tenant, self.intent, self.parameters), **self.body_extra}


class TrafficMix:
    """Draws requests from a workload: weighted intents, uniform tenants, seeded."""

    def __init__(self, workload: Workload, tenant_keys: Mapping[str, str], seed: int) -> None:
        unknown = [t for t in workload.tenants if t not in tenant_keys]
        if unknown:
            raise ValueError(
                f"workload.tenants: {unknown} are not seeded tenants "
                f"(seeded: {sorted(tenant_keys)})"
            )
        self._workload = workload
        self._keys = tenant_keys
        self._rng = random.Random(seed)
        self._weights = [mix.weight for mix in workload.intents]
        self._injections = 0
        self._squatted: tuple[str, str] | None = None  # (request id, its first tenant)

    def draw(self, attacks: Sequence[TenantAttack] = ()) -> PlannedRequest:
        mix = self._rng.choices(self._workload.intents, weights=self._weights)[0]
        tenant = self._rng.choice(self._workload.tenants)
        request = PlannedRequest(tenant, mix.intent, dict(mix.parameters), self._keys[tenant])
        for attack in attacks:
            if self._rng.random() < attack.share:
                return self._attacked(request, attack)
        return request

    def _attacked(self, request: PlannedRequest, attack: TenantAttack) -> PlannedRequest:
        kind = attack.kind
        if isinstance(attack, CrossTenantQueryFault):
            caller = attack.as_tenant or request.tenant
            victim = attack.victim_tenant or self._other_tenant(caller)
            sql = f"SELECT service, owner_team FROM ops.services WHERE tenant_id = '{victim}'"
            return PlannedRequest(caller, "ad_hoc_query", {"sql": sql}, self._keys[caller], kind)
        if isinstance(attack, InjectionFault):
            payload = attack.payloads[self._injections % len(attack.payloads)]
            self._injections += 1
            return PlannedRequest(
                request.tenant, "ad_hoc_query", {"sql": payload}, request.api_key, kind
            )
        if isinstance(attack, SqlAttack):
            caller = attack.as_tenant or request.tenant
            return PlannedRequest(
                caller, "ad_hoc_query", {"sql": attack.sql}, self._keys[caller], kind
            )
        if isinstance(attack, AuditIdSquatFault):
            return self._squatting(request, kind)
        if isinstance(attack, ForgedApiKeyFault):
            forged = attack.api_key or f"gk_{request.tenant}_{secrets.token_hex(12)}"
            return PlannedRequest(request.tenant, request.intent, request.parameters, forged, kind)
        if isinstance(attack, MissingApiKeyFault):
            return PlannedRequest(request.tenant, request.intent, request.parameters, None, kind)
        raise ValueError(f"attack kind {kind!r} has no request mutation")

    def _squatting(self, request: PlannedRequest, kind: str) -> PlannedRequest:
        """The first of a pair picks a fresh id; the second reuses it as another tenant."""
        if self._squatted is None:
            request_id = f"squat-{self._rng.getrandbits(64):016x}"
            self._squatted = (request_id, request.tenant)
            tenant = request.tenant
        else:
            request_id, first = self._squatted
            self._squatted = None
            tenant = self._other_tenant(first)
        return PlannedRequest(
            tenant,
            request.intent,
            request.parameters,
            self._keys[tenant],
            kind,
            body_extra={"request_id": request_id},
        )

    def _other_tenant(self, tenant: str) -> str:
        others = sorted(t for t in self._keys if t != tenant)
        if not others:
            raise ValueError("a cross-tenant attack needs at least two seeded tenants")
        return self._rng.choice(others)
