"""`gauntlet load --faults FILE`: a chaos schedule on its own."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chaos.schedule import TimedFault
from load.inputs.profile import world_faults_only


class FaultsFile(BaseModel):
    """`faults: [{fault: {kind: latency, ...}, start: 10s, duration: 10s}]`."""

    model_config = ConfigDict(extra="forbid")
    faults: list[TimedFault] = Field(min_length=1)

    @field_validator("faults")
    @classmethod
    def _no_tenant_attacks(cls, faults: list[TimedFault]) -> list[TimedFault]:
        return world_faults_only(faults)
