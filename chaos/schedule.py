"""The chaos schedule: faults with a start offset and a duration, and the phase at a moment.

Shared by scenario files (`faults:`) and load profiles (`chaos:`); pure, no I/O.

Phases, measured as offsets (seconds) from the start of the method / load run:

- `baseline` before the first fault starts;
- `fault` while at least one fault is active (windows may overlap);
- `recovery` otherwise: a fault has been rolled back and none is active right now
  (this includes a quiet gap between two faults).

A window is half-open, `[start, end)`: at the exact moment a fault ends it is rolled
back, so that instant already belongs to whatever follows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from chaos.faults import AnyFault, Fault
from slo.observation import Phase
from slo.yaml_input import NestedFieldError

from .duration import Duration, PositiveDuration, format_duration

__all__ = [
    "FaultSpan",
    "TimedFault",
    "active_faults",
    "check_schedule_fits",
    "fault_windows",
    "phase_at",
]


class TimedFault(BaseModel):
    """One fault of a schedule: `{fault: {kind: ...}, start: 2s, duration: 6s}`.

    Without `duration` the fault holds until the end of the method (or load run).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    fault: AnyFault
    start: Duration = 0.0
    duration: PositiveDuration | None = None


@dataclass(frozen=True)
class FaultSpan:
    """When a scheduled fault is active, as offsets in seconds; `end_s` is inf if open-ended."""

    index: int  # position in the schedule, for reports and error messages
    fault: Fault
    start_s: float
    end_s: float

    def contains(self, offset_s: float) -> bool:
        return self.start_s <= offset_s < self.end_s

    @property
    def label(self) -> str:
        end = "end" if math.isinf(self.end_s) else format_duration(self.end_s)
        return f"{self.fault.kind} {format_duration(self.start_s)}..{end}"


def fault_windows(schedule: Sequence[TimedFault], method_s: float | None = None) -> list[FaultSpan]:
    """The schedule's windows sorted by start; open-ended ones end at `method_s` (or inf)."""
    until_end = method_s if method_s is not None else math.inf
    spans = [
        FaultSpan(
            index=index,
            fault=timed.fault,
            start_s=timed.start,
            end_s=timed.start + timed.duration if timed.duration is not None else until_end,
        )
        for index, timed in enumerate(schedule)
    ]
    return sorted(spans, key=lambda span: (span.start_s, span.index))


def phase_at(offset_s: float, schedule: Sequence[TimedFault] | Sequence[FaultSpan]) -> Phase:
    """The phase at `offset_s` seconds into the method, given the schedule or its windows."""
    spans = [item if isinstance(item, FaultSpan) else fault_windows([item])[0] for item in schedule]
    if not spans or offset_s < min(span.start_s for span in spans):
        return Phase.BASELINE
    if any(span.contains(offset_s) for span in spans):
        return Phase.FAULT
    return Phase.RECOVERY


def active_faults(offset_s: float, spans: Sequence[FaultSpan]) -> list[FaultSpan]:
    """The windows active at `offset_s`, in schedule order."""
    return sorted((span for span in spans if span.contains(offset_s)), key=lambda span: span.index)


def check_schedule_fits(schedule: Sequence[TimedFault], method_s: float) -> None:
    """Refuse a fault whose window does not fit in a method of `method_s` seconds.

    Raises `NestedFieldError` pointing at the offending entry (for use in validators).
    """
    for index, timed in enumerate(schedule):
        if timed.start >= method_s:
            raise NestedFieldError(
                f"expected a start before the end of the run ({format_duration(method_s)}), "
                f"got {format_duration(timed.start)}",
                loc=(index, "start"),
            )
        if timed.duration is not None and timed.start + timed.duration > method_s:
            raise NestedFieldError(
                f"expected the fault to end by {format_duration(method_s)}, but it runs "
                f"{format_duration(timed.start)}..{format_duration(timed.start + timed.duration)}",
                loc=(index, "duration"),
            )
