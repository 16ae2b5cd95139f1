"""A load shape as data: sampled from a pure tick function in the harness, replayed in Locust.

The profile's shapes (`load/inputs/shapes.py`) are pure functions `tick(elapsed_s) ->
(users, spawn_rate) | None`. The harness samples one into a step list (Locust polls a
shape once a second, so a one-second resolution loses nothing it would have seen), and the
Locust process replays the list through a `LoadTestShape` (`load/in_locust/users.py`). The replay is
pure and clock-free so its tick sequence is testable without Locust.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence

from .run_config import ShapeStep

Tick = Callable[[float], "tuple[int, float] | None"]


def sample_tick(tick: Tick, duration_s: float, resolution_s: float = 1.0) -> list[ShapeStep]:
    """Sample `tick` every `resolution_s` until it returns None or `duration_s` is reached.

    Consecutive equal ticks collapse into one step.
    """
    if duration_s <= 0 or resolution_s <= 0:
        raise ValueError("duration_s and resolution_s must be positive")
    steps: list[ShapeStep] = []
    elapsed = 0.0
    while elapsed < duration_s:
        value = tick(elapsed)
        if value is None:
            break
        users, spawn_rate = value
        if not steps or (steps[-1].users, steps[-1].spawn_rate) != (users, spawn_rate):
            steps.append(ShapeStep(at_s=elapsed, users=int(users), spawn_rate=float(spawn_rate)))
        elapsed = round(elapsed + resolution_s, 9)
    if not steps:
        raise ValueError("the shape starts with no load (tick(0) returned None)")
    return steps


class ShapeReplay:
    """Answers Locust's `tick()` from a step list; None (stop) once `duration_s` has passed."""

    def __init__(self, steps: Sequence[ShapeStep], duration_s: float) -> None:
        if not steps:
            raise ValueError("a shape needs at least one step")
        self._steps = sorted(steps, key=lambda s: s.at_s)
        self._starts = [s.at_s for s in self._steps]
        self.duration_s = duration_s

    def tick(self, elapsed_s: float) -> tuple[int, float] | None:
        if elapsed_s >= self.duration_s:
            return None
        index = max(bisect_right(self._starts, elapsed_s) - 1, 0)
        step = self._steps[index]
        return step.users, step.spawn_rate

    @property
    def peak_users(self) -> int:
        return max(s.users for s in self._steps)
