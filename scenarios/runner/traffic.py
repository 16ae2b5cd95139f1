"""The requests a scenario sends: a seeded draw from its workload, with attacks mixed in
(each attack rewrites the requests it picks: `TenantAttack.rewrite`), and the requests an
attack with a `rate` sends beside the workload (`TrafficMix.beside`).

Pure: no I/O. The same seed and scenario give the same sequence of requests, so a
failing run can be replayed.

A string parameter holding `{{draw}}` gets a number drawn afresh for each request there,
so that ad hoc SQL varies as real callers' does (`SELECT ..., {{draw}} AS draw ...`): no
cache of queries already seen answers it without the work a new query costs.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from chaos.faults import Crowd, PlannedRequest, TenantAttack
from scenarios.spec.model import Workload

__all__ = ["DRAW", "PlannedRequest", "TrafficMix"]

DRAW = "{{draw}}"
BESIDE_STREAM = 0x5EED_BE51DE


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
        self._crowd = Crowd(tenant_keys, self._rng)
        # A stream of its own for the requests sent beside the workload: the workload's
        # sequence is the same with such an attack as without it
        self._beside = Crowd(tenant_keys, random.Random(seed ^ BESIDE_STREAM))

    def draw(self, attacks: Sequence[TenantAttack] = ()) -> PlannedRequest:
        """The workload's next request, rewritten by the first of `attacks` that picks it
        (an attack with a `rate` picks none: it sends requests of its own)."""
        request = self._planned(self._rng)
        for attack in attacks:
            if attack.rate is None and self._rng.random() < attack.share:
                return attack.rewrite(request, self._crowd)
        return request

    def beside(self, attack: TenantAttack) -> PlannedRequest:
        """One of `attack`'s own requests, made of a workload request that is never sent."""
        return attack.rewrite(self._planned(self._beside.rng), self._beside)

    def _planned(self, rng: random.Random) -> PlannedRequest:
        mix = rng.choices(self._workload.intents, weights=self._weights)[0]
        tenant = rng.choice(self._workload.tenants)
        parameters = {name: self._drawn(value, rng) for name, value in mix.parameters.items()}
        return PlannedRequest(
            tenant,
            mix.intent,
            parameters,
            self._keys[tenant],
            fresh_connection=self._workload.fresh_connections,
        )

    @staticmethod
    def _drawn(value: object, rng: random.Random) -> object:
        if isinstance(value, str) and DRAW in value:
            return value.replace(DRAW, str(rng.randrange(10**9)))
        return value
