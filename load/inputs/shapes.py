"""Load shapes as pure tick functions: how many users to run at each moment.

`shape.tick(elapsed_s, run_s)` returns `(users, spawn_rate)` — the user count Locust
should reach and how many users per second to start or stop on the way — or `None`
once the run of `run_s` seconds is over. Nothing here imports Locust: the harness samples
a shape into a step list (`load/inputs/shape_replay.py`) and the Locust process replays that list
through its `LoadTestShape` (`load/in_locust/users.py`).

Shapes (the `kind` key of a profile's `shape:`):

- `ramp`: from `from_users` to `to_users` over `over`, then hold;
- `step`: `start_users`, plus `step_users` every `step_every`, capped at `max_users`;
- `spike`: `base_users`, jumping to `spike_users` at `at` for `spike_duration`;
- `soak`: a constant `users` for a long run;
- `constant_arrival`: requests start at a fixed `rate` whatever the latency (free of
  coordinated omission: a user whose request could not go out on schedule measures from the
  scheduled time); `max_users` bounds how many may be waiting at once.
"""

from __future__ import annotations

import math
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from chaos.duration import Duration, PositiveDuration, Rate

__all__ = [
    "AnyShape",
    "ConstantArrivalShape",
    "RampShape",
    "SpikeShape",
    "SoakShape",
    "StepShape",
    "Tick",
]

Tick = tuple[int, float] | None


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    peak_field: ClassVar[str]  # the field `--users N` overrides
    time_fields: ClassVar[tuple[str, ...]] = ()  # offsets that `--duration` scales

    def users_at(self, elapsed_s: float) -> int:
        raise NotImplementedError

    def spawn_rate_at(self, elapsed_s: float) -> float:
        raise NotImplementedError

    def tick(self, elapsed_s: float, run_s: float) -> Tick:
        """Target users and spawn rate at `elapsed_s`, or None when the run is over."""
        if elapsed_s >= run_s:
            return None
        return self.users_at(elapsed_s), self.spawn_rate_at(elapsed_s)

    @property
    def peak_users(self) -> int:
        return int(getattr(self, self.peak_field))

    def with_peak_users(self, users: int) -> _Shape:
        return type(self).model_validate({**self.model_dump(), self.peak_field: users})

    def timed_fields(self) -> dict[str, float]:
        """Offsets (seconds) this shape needs to fit inside the run, by field name."""
        return {}

    def scaled(self, factor: float) -> _Shape:
        """The same shape over a run `factor` times as long (times kept to whole ms)."""
        return self.model_copy(
            update={name: round(getattr(self, name) * factor, 3) for name in self.time_fields}
        )


class RampShape(_Shape):
    kind: Literal["ramp"] = "ramp"
    peak_field: ClassVar[str] = "to_users"
    time_fields: ClassVar[tuple[str, ...]] = ("over",)
    from_users: NonNegativeInt = 0
    to_users: PositiveInt
    over: PositiveDuration
    spawn_rate: PositiveFloat | None = None  # default: fast enough to follow the ramp

    def users_at(self, elapsed_s: float) -> int:
        progress = min(elapsed_s / self.over, 1.0)
        return round(self.from_users + (self.to_users - self.from_users) * progress)

    def spawn_rate_at(self, elapsed_s: float) -> float:
        if self.spawn_rate is not None:
            return self.spawn_rate
        return max(1.0, abs(self.to_users - self.from_users) / self.over)

    def timed_fields(self) -> dict[str, float]:
        return {"over": self.over}


class StepShape(_Shape):
    kind: Literal["step"] = "step"
    peak_field: ClassVar[str] = "max_users"
    time_fields: ClassVar[tuple[str, ...]] = ("step_every",)
    start_users: NonNegativeInt | None = None  # default: one step
    step_users: PositiveInt
    step_every: PositiveDuration
    max_users: PositiveInt
    spawn_rate: PositiveFloat | None = None  # default: a whole step within one second

    @model_validator(mode="after")
    def _start_within_max(self) -> StepShape:
        if (self.start_users or 0) > self.max_users:
            raise ValueError(f"expected start_users <= max_users ({self.max_users})")
        return self

    def users_at(self, elapsed_s: float) -> int:
        start = self.step_users if self.start_users is None else self.start_users
        steps = math.floor(elapsed_s / self.step_every)
        return min(start + steps * self.step_users, self.max_users)

    def spawn_rate_at(self, elapsed_s: float) -> float:
        return self.spawn_rate if self.spawn_rate is not None else float(self.step_users)


class SpikeShape(_Shape):
    kind: Literal["spike"] = "spike"
    peak_field: ClassVar[str] = "spike_users"
    time_fields: ClassVar[tuple[str, ...]] = ("at", "spike_duration")
    base_users: PositiveInt
    spike_users: PositiveInt
    at: Duration
    spike_duration: PositiveDuration
    spawn_rate: PositiveFloat | None = None  # default: reach the spike within one second

    @model_validator(mode="after")
    def _spike_above_base(self) -> SpikeShape:
        if self.spike_users <= self.base_users:
            raise ValueError(f"expected spike_users above base_users ({self.base_users})")
        return self

    def in_spike(self, elapsed_s: float) -> bool:
        return self.at <= elapsed_s < self.at + self.spike_duration

    def users_at(self, elapsed_s: float) -> int:
        return self.spike_users if self.in_spike(elapsed_s) else self.base_users

    def spawn_rate_at(self, elapsed_s: float) -> float:
        if self.spawn_rate is not None:
            return self.spawn_rate
        return float(self.spike_users - self.base_users)

    def with_peak_users(self, users: int) -> _Shape:
        # keep the spike a spike: the base shrinks with a smaller peak
        base = min(self.base_users, max(1, users - 1))
        return type(self).model_validate(
            {**self.model_dump(), "spike_users": users, "base_users": base}
        )

    def timed_fields(self) -> dict[str, float]:
        return {"spike_duration": self.at + self.spike_duration}


class SoakShape(_Shape):
    kind: Literal["soak"] = "soak"
    peak_field: ClassVar[str] = "users"
    users: PositiveInt
    spawn_rate: PositiveFloat = 1.0

    def users_at(self, elapsed_s: float) -> int:
        return self.users

    def spawn_rate_at(self, elapsed_s: float) -> float:
        return self.spawn_rate


class ConstantArrivalShape(_Shape):
    kind: Literal["constant_arrival"] = "constant_arrival"
    peak_field: ClassVar[str] = "max_users"
    rate: Rate  # requests per second, across all users
    max_users: PositiveInt  # requests allowed in flight at once; beyond that, sends are late

    def users_at(self, elapsed_s: float) -> int:
        return self.max_users

    def spawn_rate_at(self, elapsed_s: float) -> float:
        return float(self.max_users)  # all at once: the schedule, not the ramp, sets the pace

    @property
    def interval_s(self) -> float:
        """Time between two scheduled request starts."""
        return 1.0 / self.rate

    def scheduled_start(self, sequence: int) -> float:
        """Offset (seconds) at which request number `sequence` (0-based) is due."""
        return sequence * self.interval_s


AnyShape = Annotated[
    RampShape | StepShape | SpikeShape | SoakShape | ConstantArrivalShape,
    Field(discriminator="kind"),
]
