"""A weighted intent: the unit of every workload, a scenario's or a load profile's.

The intent and its parameters are checked when the file is read, against the intents the
reference orchestrator knows: a misspelt intent would otherwise fail every request.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from orchestrator.errors import PlanningError
from orchestrator.intents import register_ops_intents
from vocabulary import NestedFieldError, unknown_name


class IntentMix(BaseModel):
    """One intent of a workload, chosen with probability weight / sum of weights."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intent: Annotated[str, Field(min_length=1, max_length=64)]
    weight: PositiveInt = 1
    parameters: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _the_orchestrator_can_plan_it(self) -> IntentMix:
        planner = known_intents()
        if self.intent not in planner.intents():
            raise NestedFieldError(
                unknown_name("intent", self.intent, planner.intents()), loc=("intent",)
            )
        try:
            planner.build(self.intent, self.parameters)
        except PlanningError as exc:
            raise NestedFieldError(str(exc), loc=("parameters",)) from None
        return self


class _IntentBuilders:
    """The reference orchestrator's intents, by name, without a service around them."""

    def __init__(self) -> None:
        self._builders: dict[str, Any] = {}
        register_ops_intents(self)

    def register(self, name: str, builder: Any) -> None:
        self._builders[name] = builder

    def audit_every_request(self) -> None:
        """The service's concern, not the file's."""

    def intents(self) -> list[str]:
        return sorted(self._builders)

    def build(self, intent: str, parameters: dict[str, Any]) -> Any:
        return self._builders[intent](parameters)


@cache
def known_intents() -> _IntentBuilders:
    return _IntentBuilders()


__all__ = ["IntentMix", "known_intents"]
