"""Phases of a run and the fault windows that decide them: one value, one function.

A run is cut into phases so that each population of requests means one thing:

- `baseline`: healthy steady traffic, before any fault (what "normal" looks like);
- `burst`: a deliberate burst of traffic beyond the steady rate, with no fault applied
  (a scenario whose workload is a burst records its method under this phase);
- `fault`: while at least one fault window is open (windows may overlap);
- `recovery`: a window (or a burst) has ended and none is open right now (this includes
  a quiet gap between two faults).

A window is half-open, `[start, end)`: at the exact moment a fault ends it is rolled back,
so that instant already belongs to whatever follows. A window not (yet) closed ends at
infinity. Times are plain seconds: offsets into a schedule, or epoch seconds of what
actually happened; the functions do not care which, as long as both sides agree.

A request takes time, so it is judged by everything it lived through: one that started
healthy and was still in flight when a fault landed met the fault (`phase_during`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["FaultWindow", "Phase", "phase_at", "phase_during"]


class Phase(StrEnum):
    BASELINE = "baseline"  # healthy steady traffic, before any fault
    BURST = "burst"  # a deliberate burst of traffic, no fault
    FAULT = "fault"  # while at least one fault is active
    RECOVERY = "recovery"  # after a fault (or a burst) ended, none active


@dataclass(frozen=True)
class FaultWindow:
    """When a fault is active: `[start, end)` in seconds; `end` is inf while it holds."""

    start: float
    end: float = math.inf
    label: str = ""

    def contains(self, t: float) -> bool:
        return self.start <= t < self.end

    def overlaps(self, start: float, end: float) -> bool:
        """True when `[start, end]` shares any instant with the window."""
        return self.start <= end and start < self.end

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


def phase_during(start: float, end: float, windows: Iterable[FaultWindow]) -> Phase:
    """The phase of a request that ran from `start` to `end`: `fault` if any window was
    open at any instant of it, else the phase at its start."""
    windows = list(windows)
    if any(window.overlaps(start, end) for window in windows):
        return Phase.FAULT
    return phase_at(start, windows)
