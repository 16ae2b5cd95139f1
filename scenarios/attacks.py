"""PLACEHOLDER until chaos.faults defines the tenant attack models; delete then."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class AnyAttack(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    kind: Literal["cross_tenant_query", "injection", "forged_api_key", "missing_api_key"]
