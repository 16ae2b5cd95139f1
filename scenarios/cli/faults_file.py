"""`gauntlet load --faults FILE`: a chaos schedule on its own."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from chaos.schedule import TimedFault


class FaultsFile(BaseModel):
    """`faults: [{fault: {kind: latency, ...}, start: 10s, duration: 10s}]`."""

    model_config = ConfigDict(extra="forbid")
    faults: list[TimedFault] = Field(min_length=1)
