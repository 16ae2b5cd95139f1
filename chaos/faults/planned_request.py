"""The request a tenant attack rewrites, and what an attack may know while rewriting it.

A `TenantAttack` breaks nothing in the world: it turns a planned workload request into an
attacking one (`TenantAttack.rewrite`). The scenario runner draws the requests; each attack
kind says, on its own class, what it does to one.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contract import request_body


@dataclass(frozen=True)
class PlannedRequest:
    tenant: str
    intent: str
    parameters: dict[str, Any]
    api_key: str | None  # None: sent without a key
    attack: str | None = None  # the attack kind that shaped this request
    body_extra: dict[str, Any] = field(default_factory=dict)
    fresh_connection: bool = False  # sent on a connection of its own, closed after the answer

    def body(self) -> dict[str, Any]:
        return {**request_body(self.tenant, self.intent, self.parameters), **self.body_extra}


@dataclass
class Crowd:
    """The tenants an attack may act as or against, drawn from the traffic's own seeded
    stream (so a run replays), and what an attack keeps between the requests it rewrites."""

    keys: Mapping[str, str]  # each seeded tenant's valid API key
    rng: random.Random
    memory: dict[str, Any] = field(default_factory=dict)  # by attack kind

    def other_tenant(self, tenant: str) -> str:
        others = sorted(t for t in self.keys if t != tenant)
        if not others:
            raise ValueError("a cross-tenant attack needs at least two seeded tenants")
        return self.rng.choice(others)
