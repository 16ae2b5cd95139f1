"""The validator's workers shared with no tenant's share bounded: one tenant holds them all."""

from __future__ import annotations

import contextlib

DEFECT = "validator pool: one tenant's costly queries hold every worker"
SCENARIOS = ("validator-tenant-share",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.safety._offloop import ValidatorPool

    def no_turn(self, tenant_id):  # type: ignore[no-untyped-def]
        return contextlib.nullcontext()

    replace(ValidatorPool, "_tenant_turn", no_turn)
