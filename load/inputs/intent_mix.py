"""A weighted intent: the unit of every workload, a scenario's or a load profile's.

The intent and its parameters are checked when the file is read, against the contract's
intents and their parameter schemas: a misspelt intent would otherwise fail every request.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from contract import INTENTS, parameter_error
from vocabulary import NestedFieldError, unknown_name


class IntentMix(BaseModel):
    """One intent of a workload, chosen with probability weight / sum of weights."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intent: Annotated[str, Field(min_length=1, max_length=64)]
    weight: PositiveInt = 1
    parameters: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _the_contract_knows_it(self) -> IntentMix:
        if self.intent not in INTENTS:
            raise NestedFieldError(unknown_name("intent", self.intent, INTENTS), loc=("intent",))
        problem = parameter_error(self.intent, self.parameters)
        if problem is not None:
            raise NestedFieldError(problem, loc=("parameters",))
        return self


__all__ = ["IntentMix"]
