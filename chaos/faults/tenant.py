"""Tenant attacks: request mutations, not infrastructure faults.

They break nothing in the world, so applying one is a no-op context manager; the scenario
runner finds the active `TenantAttack`s and, while they hold, has each `rewrite` the
workload requests it picks (with probability `share`, 0–1). An attack given a `rate`
instead sends its own requests, that many a second, beside the workload, which it then
leaves whole: an abuser's flood comes on top of the other tenants' traffic, as it does
in the world, rather than in place of part of it.
"""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from chaos.duration import Rate

from .base import Fault, register_fault
from .planned_request import Crowd, PlannedRequest
from .target import FaultTarget

DEFAULT_INJECTION_PAYLOADS: tuple[str, ...] = (
    "' OR '1'='1",
    "1; DROP TABLE alerts; --",
    "' UNION SELECT * FROM pg_authid --",
    "x'; SET ROLE postgres; --",
    "$$; COPY alerts TO PROGRAM 'id'; --",
)

# An attack's own sender keeps up to rate x deadline requests in flight: bounded, and
# far above any abuse a loopback harness can offer beside its workload
MAX_ATTACK_RATE = 500.0
AD_HOC_QUERY = "ad_hoc_query"  # the intent of an attack that sends SQL of its own
MAX_ATTACK_BURST = 100


class TenantAttack(Fault):
    """A mutation of the workload's requests; changes nothing until the runner applies it."""

    share: float = Field(default=1.0, ge=0.0, le=1.0, description="fraction of requests mutated")
    # requests a second sent beside the workload (each made of a request drawn from it),
    # `burst` of them at once (a script firing in parallel: their answers come together)
    rate: Rate | None = Field(default=None, le=MAX_ATTACK_RATE)
    burst: int = Field(default=1, ge=1, le=MAX_ATTACK_BURST)
    # A name the attack's SQL holds that any rendering of it keeps (a function's): where
    # the database's own log shows it, the attack's statement reached the database.
    statement_mark: ClassVar[str | None] = None
    # The intent its requests ask for, whatever the workload's request asked (None: the
    # workload's own intent): the tool it reaches, for a search to put its victims beside.
    sends_intent: ClassVar[str | None] = None

    @model_validator(mode="after")
    def _share_or_rate(self) -> TenantAttack:
        # a share left at its default (as a dumped attack repeats it) says nothing
        if self.rate is not None and self.share != 1.0:
            raise ValueError(
                "give 'share' (the part of the workload's requests the attack rewrites) or "
                "'rate' (requests it sends beside the workload), not both"
            )
        if self.rate is None and self.burst != 1:
            raise ValueError("'burst' (requests sent at once) needs a 'rate' to send them at")
        return self

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        return None

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        """The attacking request made of the workload's `request`."""
        raise NotImplementedError(f"attack kind {self.kind!r} has no request mutation")


@register_fault
class CrossTenantQueryFault(TenantAttack):
    """A caller authenticated as `as_tenant` asks for `victim_tenant`'s data.

    `as_tenant`: the caller (default: the request's own tenant). `victim_tenant`: whose
    data is asked for (default: another tenant of the workload). Expected: refused with
    `security_error`, and no row of the victim in any response.
    """

    kind: Literal["cross_tenant_query"] = "cross_tenant_query"
    sends_intent: ClassVar[str | None] = AD_HOC_QUERY
    as_tenant: str | None = None
    victim_tenant: str | None = None

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        caller = self.as_tenant or request.tenant
        victim = self.victim_tenant or crowd.other_tenant(caller)
        # tenant_id is selected so that a victim's row in the answer shows as one
        sql = (
            f"SELECT tenant_id, service, owner_team FROM ops.services WHERE tenant_id = '{victim}'"
        )
        return PlannedRequest(caller, AD_HOC_QUERY, {"sql": sql}, crowd.keys[caller], self.kind)


@register_fault
class InjectionFault(TenantAttack):
    """Put SQL-injection `payloads` into the request's free-text parameters.

    The runner puts one payload (round robin) into every string parameter of the intent.
    Expected: refused as an unsafe query, or answered with no effect; never a write.
    """

    kind: Literal["injection"] = "injection"
    sends_intent: ClassVar[str | None] = AD_HOC_QUERY
    payloads: list[str] = Field(
        default_factory=lambda: list(DEFAULT_INJECTION_PAYLOADS), min_length=1
    )

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        turn = crowd.memory.get(self.kind, 0)  # payloads in turn, across the whole run
        crowd.memory[self.kind] = turn + 1
        payload = self.payloads[turn % len(self.payloads)]
        return PlannedRequest(
            request.tenant, AD_HOC_QUERY, {"sql": payload}, request.api_key, self.kind
        )


@register_fault
class ForgedApiKeyFault(TenantAttack):
    """Send `api_key` (default: a random key of a valid key's shape) instead of the real one.

    Expected: refused as unauthenticated.
    """

    kind: Literal["forged_api_key"] = "forged_api_key"
    api_key: str | None = None

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        forged = self.api_key or f"gk_{request.tenant}_{secrets.token_hex(12)}"
        return PlannedRequest(request.tenant, request.intent, request.parameters, forged, self.kind)


@register_fault
class MissingApiKeyFault(TenantAttack):
    """Send the request without an API key. Expected: refused as unauthenticated."""

    kind: Literal["missing_api_key"] = "missing_api_key"

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        return PlannedRequest(request.tenant, request.intent, request.parameters, None, self.kind)
