"""Load profiles: a YAML file choosing a shape, the traffic mix and a chaos schedule.

    name: spike-under-latency
    duration: 30s
    shape: {kind: spike, base_users: 2, spike_users: 10, at: 10s, spike_duration: 10s}
    intents:
      - {intent: service_overview, weight: 3, parameters: {service: checkout}}
    tenants:                         # plain names (weight 1) or {tenant: ..., weight: ...}
      - acme
      - {tenant: globex, weight: 2}
    chaos:                           # optional; same shape as a scenario's `faults:`
      - {fault: {kind: latency, upstream: metrics, latency_ms: 3000}, start: 12s, duration: 6s}
    stop_conditions:                 # optional; end the run early (see chaos/stop_condition.py)
      - {failed_ratio_above: 0.5, window: 10s, min_requests: 20}

`load_profile("spike")` loads a built-in profile (load/inputs/profiles/*.yaml); anything else is
a path. Errors are `YamlInputError` (one line: file, line, field).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from chaos.duration import PositiveDuration, format_duration
from chaos.faults import TenantAttack
from chaos.schedule import TimedFault, check_schedule_fits
from chaos.seed import TENANTS
from chaos.stop_condition import StopCondition
from vocabulary import NestedFieldError, YamlInputError, load_yaml_model, unknown_name

from .intent_mix import IntentMix
from .shapes import AnyShape, Tick

__all__ = [
    "BUILTIN_PROFILES_DIR",
    "LoadProfile",
    "TenantMix",
    "builtin_profiles",
    "load_profile",
    "world_faults_only",
]

BUILTIN_PROFILES_DIR = Path(__file__).resolve().parent / "profiles"


class TenantMix(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant: Annotated[str, Field(min_length=1, max_length=64)]
    weight: PositiveInt = 1

    @field_validator("tenant")
    @classmethod
    def _seeded(cls, tenant: str) -> str:
        # The seed names its first tenants, then numbers them: tenant011, tenant012, ...
        if tenant not in TENANTS and not re.fullmatch(r"tenant\d{3}", tenant):
            raise ValueError(unknown_name("tenant", tenant, TENANTS))
        return tenant


def world_faults_only(chaos: list[TimedFault]) -> list[TimedFault]:
    """Refuse a tenant attack in a load run's chaos schedule (a `NestedFieldError`).

    An attack rewrites requests, and only the scenario runner writes requests that way: in a
    load run it would change nothing, yet still open a `fault` window."""
    for index, timed in enumerate(chaos):
        if isinstance(timed.fault, TenantAttack):
            raise NestedFieldError(
                f"expected a fault of the world, got tenant attack {timed.fault.kind!r}: "
                "tenant attacks run in scenarios, not load profiles",
                loc=(index, "fault", "kind"),
            )
    return chaos


def _name_means_weight_one(value: Any) -> Any:
    return {"tenant": value} if isinstance(value, str) else value


class LoadProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]
    description: str = ""
    duration: PositiveDuration
    shape: AnyShape
    intents: list[IntentMix] = Field(min_length=1)
    tenants: list[Annotated[TenantMix, BeforeValidator(_name_means_weight_one)]] = Field(
        min_length=1
    )
    chaos: list[TimedFault] = Field(default_factory=list)
    stop_conditions: list[StopCondition] = Field(default_factory=list)

    @field_validator("tenants")
    @classmethod
    def _tenants_unique(cls, tenants: list[TenantMix]) -> list[TenantMix]:
        seen: set[str] = set()
        for index, mix in enumerate(tenants):
            if mix.tenant in seen:
                raise NestedFieldError(
                    f"expected each tenant once, got {mix.tenant!r} again", loc=(index, "tenant")
                )
            seen.add(mix.tenant)
        return tenants

    @field_validator("chaos")
    @classmethod
    def _no_tenant_attacks(cls, chaos: list[TimedFault]) -> list[TimedFault]:
        return world_faults_only(chaos)

    @model_validator(mode="after")
    def _timing_fits_the_run(self) -> LoadProfile:
        for field, offset in self.shape.timed_fields().items():
            if offset > self.duration:
                raise NestedFieldError(
                    f"expected the shape to fit in the run's duration ({self.duration:g}s), "
                    f"but it needs {offset:g}s",
                    loc=("shape", field),
                )
        try:
            check_schedule_fits(self.chaos, self.duration)
        except NestedFieldError as exc:
            raise NestedFieldError(str(exc), loc=("chaos", *exc.loc)) from None
        return self

    def tick(self, elapsed_s: float) -> Tick:
        """`(users, spawn_rate)` at `elapsed_s` seconds into the run, or None to stop."""
        return self.shape.tick(elapsed_s, self.duration)

    def with_overrides(
        self, *, duration_s: float | None = None, users: int | None = None
    ) -> LoadProfile:
        """The profile with `--duration` / `--users` applied; re-validated (ValueError if unfit).

        A new duration scales the shape's offsets and the chaos schedule with it, so a spike
        stays in the middle of the run and its fault stays on the spike.
        """
        data = self.model_dump()
        shape = self.shape.with_peak_users(users) if users is not None else self.shape
        if duration_s is not None:
            factor = duration_s / self.duration
            shape = shape.scaled(factor)
            data["chaos"] = [_scaled(timed, factor).model_dump() for timed in self.chaos]
            data["duration"] = duration_s
        data["shape"] = shape.model_dump()
        try:
            return LoadProfile.model_validate(_as_file_values(data))
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            cause = (error.get("ctx") or {}).get("error")
            reason = str(cause) if cause is not None else error["msg"]
            raise ValueError(f"profile {self.name!r} with --duration/--users: {reason}") from None


def _scaled(timed: TimedFault, factor: float) -> TimedFault:
    duration = None if timed.duration is None else round(timed.duration * factor, 3)
    return timed.model_copy(update={"start": round(timed.start * factor, 3), "duration": duration})


def _as_file_values(data: dict[str, Any]) -> dict[str, Any]:
    # model_dump serialises durations back to '30s' strings, so a float override needs the same form
    if isinstance(data["duration"], (int, float)):
        data["duration"] = format_duration(float(data["duration"]))
    return data


def builtin_profiles() -> list[str]:
    return sorted(path.stem for path in BUILTIN_PROFILES_DIR.glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> LoadProfile:
    """A built-in profile by name (`ramp`, `step`, `spike`, `soak`, ...) or a profile file."""
    path = Path(name_or_path)
    if isinstance(name_or_path, str) and not path.exists() and name_or_path in builtin_profiles():
        path = BUILTIN_PROFILES_DIR / f"{name_or_path}.yaml"
    elif (
        isinstance(name_or_path, str) and not path.exists() and path.suffix not in (".yaml", ".yml")
    ):
        known = ", ".join(builtin_profiles())
        close = difflib.get_close_matches(name_or_path, builtin_profiles(), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise YamlInputError(
            name_or_path, f"no such profile file or built-in profile{hint} (built-in: {known})"
        )
    return load_yaml_model(path, LoadProfile, what="load profile")
