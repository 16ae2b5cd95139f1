"""Phases of a run and the fault windows that decide them: one value, one function.

A run is cut into phases by its fault windows:

- `baseline` before the first window opens;
- `fault` while at least one window is open (windows may overlap);
- `recovery` otherwise: a window has closed and none is open right now (this includes a
  quiet gap between two faults).

A window is half-open, `[start, end)`: at the exact moment a fault ends it is rolled back,
so that instant already belongs to whatever follows. A window not (yet) closed ends at
infinity. Times are plain seconds: offsets into a schedule, or epoch seconds of what
actually happened; `phase_at` does not care which, as long as both sides agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["FaultWindow", "Phase", "phase_at"]


class Phase(StrEnum):
    BASELINE = "baseline"  # before any fault
    FAULT = "fault"  # while at least one fault is active
    RECOVERY = "recovery"  # after a fault was rolled back, none active


@dataclass(frozen=True)
class FaultWindow:
    """When a fault is active: `[start, end)` in seconds; `end` is inf while it holds."""

    start: float
    end: float = math.inf
    label: str = ""

    def contains(self, t: float) -> bool:
        return self.start <= t < self.end

    @property
    def is_open(self) -> bool:
        return math.isinf(self.end)


def phase_at(t: float, windows: Iterable[FaultWindow]) -> Phase:
    """The phase at time `t` given every fault window of the run (in any order)."""
    opened_before = False
    for window in windows:
        if window.contains(t):
            return Phase.FAULT
        opened_before = opened_before or window.start <= t
    return Phase.RECOVERY if opened_before else Phase.BASELINE
