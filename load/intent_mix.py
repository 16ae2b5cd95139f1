"""A weighted intent: the unit of every workload, a scenario's or a load profile's."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt


class IntentMix(BaseModel):
    """One intent of a workload, chosen with probability weight / sum of weights."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intent: Annotated[str, Field(min_length=1, max_length=64)]
    weight: PositiveInt = 1
    parameters: dict[str, Any] = Field(default_factory=dict)
