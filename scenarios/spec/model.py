"""The scenario file: a chaos experiment as data.

Modelled on Chaos Toolkit's experiment (a steady-state hypothesis checked before the
method and again after rollback; the method; rollbacks that always run) and on AWS FIS
stop conditions (abort early when things go too far), with timing and expectations
scoped by phase, which neither offers::

    name: metrics-latency-cascade
    description: latency on the metrics upstream far beyond its deadline
    tags: [network, timeout]
    workload:
      intents:
        - {intent: service_overview, weight: 3, parameters: {service: checkout}}
      tenants: [acme, globex]
      requests: 60              # or duration: 20s (exactly one)
      concurrency: 4
      rate: 10/s                # optional pacing
      burst: false              # true: the method is a deliberate burst (phase `burst`)
    confidence: 0.95            # of every statistical expectation
    steady_state: {requests: 10, status: {success: ">= 0.95"}}
    faults:
      - {fault: {kind: latency, upstream: metrics, latency_ms: 3000}, start: 2s, duration: 6s}
    expectations:
      - {status: {partial: ">= 0.8"}, phase: fault}
      - {tool_errors: {metrics: [timeout, circuit_open]}, phase: fault}
      - within_deadline: {deadline_ms: 5000, grace_ms: 1000}
      - no_cross_tenant_data: true
    stop_conditions:
      - {failed_ratio_above: 0.5, window: 10s, min_requests: 10}
    attacks:                    # tenant attacks (chaos.faults) mixed into the whole method
      - {kind: cross_tenant_query, share: 0.2}

With a `duration` workload the method's phases are adaptive: `start` and `duration` of
each fault are budgets, and the runner moves on from a phase as soon as every expectation
that concerns it is decided (see `scenarios.runner.conductor`).

Every model refuses unknown keys. Expectation kinds live in `scenarios.spec.expectations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    PrivateAttr,
    field_validator,
    model_validator,
)

from chaos.duration import PositiveDuration, Rate
from chaos.faults import FAULT_KINDS, TenantAttack, registered_fault
from chaos.schedule import TimedFault, check_schedule_fits
from chaos.seed import SeedOptions
from chaos.stop_condition import StopCondition
from load.inputs.intent_mix import IntentMix
from vocabulary import NestedFieldError, Phase, RatioBoundField, Status, unknown_name

from .expectations import AnyExpectation

__all__ = ["AnyAttack", "IntentMix", "Scenario", "SteadyState", "Workload"]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Name = Annotated[str, Field(min_length=1, max_length=64)]

AnyAttack = registered_fault(TenantAttack)
"""A tenant attack from chaos.faults (`{kind: cross_tenant_query, share: 0.2}`, ...)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Workload(_Strict):
    """The traffic sent during the method: a request count or a duration, not both."""

    intents: list[IntentMix] = Field(min_length=1)
    tenants: list[Name] = Field(min_length=1)
    requests: PositiveInt | None = None
    duration: PositiveDuration | None = None
    concurrency: PositiveInt = 1
    rate: Rate | None = None  # requests per second across all workers; None = as fast as answered
    # a deliberate burst beyond the steady rate: the method is recorded as phase `burst`,
    # so it never counts as healthy steady traffic
    burst: bool = False
    # each request on a connection of its own (`Connection: close`), as callers who arrive
    # during a fault: one that only reuses open connections never meets a service that
    # stopped accepting new ones
    fresh_connections: bool = False

    @field_validator("tenants")
    @classmethod
    def _tenants_unique_and_seeded(cls, tenants: list[str]) -> list[str]:
        _refuse_repeats(tenants, "tenant")
        seeded = SeedOptions().tenant_ids  # the tenants every scenario run seeds
        for index, tenant in enumerate(tenants):
            if tenant not in seeded:
                raise NestedFieldError(unknown_name("tenant", tenant, seeded), loc=(index,))
        return tenants

    @model_validator(mode="after")
    def _requests_xor_duration(self) -> Workload:
        if (self.requests is None) == (self.duration is None):
            raise ValueError("expected exactly one of 'requests' or 'duration'")
        return self


class SteadyState(_Strict):
    """The hypothesis checked before the faults and again after rollback."""

    requests: PositiveInt = 10
    status: dict[Status, RatioBoundField] = Field(default_factory=lambda: {})
    max_latency_ms: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _states_something(self) -> SteadyState:
        if not self.status and self.max_latency_ms is None:
            raise ValueError("expected at least one of 'status' or 'max_latency_ms'")
        return self


class Scenario(_Strict):
    name: Slug
    description: str = ""
    tags: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    workload: Workload
    steady_state: SteadyState | None = None
    faults: list[TimedFault] = Field(default_factory=list)
    # attacks mixed into the whole method; a timed attack goes in `faults:` instead
    attacks: list[AnyAttack] = Field(default_factory=list)
    expectations: list[AnyExpectation] = Field(default_factory=list)
    stop_conditions: list[StopCondition] = Field(default_factory=list)
    # set by the loader from the promises in effect (see `promise_resolution`)
    _not_judged: tuple[tuple[AnyExpectation, str], ...] = PrivateAttr(default=())
    _not_applicable: str | None = PrivateAttr(default=None)

    @field_validator("faults")
    @classmethod
    def _faults_fit_the_method(cls, faults: list[TimedFault], info: Any) -> list[TimedFault]:
        workload = info.data.get("workload")
        if workload is not None and workload.duration is not None:
            check_schedule_fits(faults, workload.duration)
        return faults

    @model_validator(mode="after")
    def _expectations_can_be_observed(self) -> Scenario:
        for index, expectation in enumerate(self.expectations):
            ends = bool(self.faults) or self.workload.burst  # something to recover from
            if (expectation.phase is Phase.FAULT and not self.faults) or (
                expectation.phase is Phase.RECOVERY and not ends
            ):
                raise NestedFieldError(
                    "expected a 'faults' schedule for an expectation scoped to phase "
                    f"'{expectation.phase}'",
                    loc=("expectations", index, "phase"),
                )
            if expectation.phase is Phase.BURST and not self.workload.burst:
                raise NestedFieldError(
                    "expected 'workload.burst: true' for an expectation scoped to phase 'burst'",
                    loc=("expectations", index, "phase"),
                )
            on_attacks = ("security_refusals", "attacks_contained", "refused_before_database")
            if expectation.kind in on_attacks and not self.has_attacks:
                raise NestedFieldError(
                    "expected 'attacks' (or a tenant attack in 'faults'): "
                    f"{expectation.kind} is checked on attack requests",
                    loc=("expectations", index),
                )
            if expectation.kind == "refused_before_database" and not self.statement_marks:
                raise NestedFieldError(
                    "expected an attack whose SQL the database's log can show (one of "
                    f"{', '.join(marked_attack_kinds())}): refused_before_database looks "
                    "for it there",
                    loc=("expectations", index),
                )
        return self

    @property
    def has_attacks(self) -> bool:
        return bool(self.attacks) or any(
            isinstance(timed.fault, TenantAttack) for timed in self.faults
        )

    @property
    def statement_marks(self) -> tuple[str, ...]:
        """The names by which the attacks' SQL shows in the database's log (`statement_mark`)."""
        timed = [t.fault for t in self.faults if isinstance(t.fault, TenantAttack)]
        marks = {attack.statement_mark for attack in [*self.attacks, *timed]}
        return tuple(sorted(mark for mark in marks if mark))

    @property
    def not_judged(self) -> tuple[tuple[AnyExpectation, str], ...]:
        """Expectations set aside, each with why: what they check is not a promise of the
        system in effect. Never a pass, never a fail."""
        return self._not_judged

    @property
    def not_applicable(self) -> str | None:
        """Why the scenario cannot run against the system in effect (None: it can)."""
        return self._not_applicable

    def judged_against(self, unjudged: Mapping[int, str], not_applicable: str | None) -> Scenario:
        """This scenario without the expectations `unjudged` (index -> reason)."""
        kept = [e for i, e in enumerate(self.expectations) if i not in unjudged]
        judged = self.model_copy(update={"expectations": kept})
        judged._not_judged = tuple((self.expectations[i], why) for i, why in unjudged.items())
        judged._not_applicable = not_applicable
        return judged

    @property
    def method_s(self) -> float | None:
        """The method's planned length in seconds, when the workload is time-bound."""
        return self.workload.duration


def marked_attack_kinds() -> list[str]:
    """The attack kinds whose SQL the database's log can show (they have a statement mark)."""
    return sorted(
        kind
        for kind, cls in FAULT_KINDS.items()
        if issubclass(cls, TenantAttack) and cls.statement_mark
    )


def _refuse_repeats(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise NestedFieldError(f"expected each {what} once, got {value!r} again", loc=(index,))
        seen.add(value)
