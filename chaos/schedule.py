"""The chaos schedule: faults with a start offset and a duration, and when each holds.

Shared by scenario files (`faults:`) and load profiles (`chaos:`); pure, no I/O.
A scheduled fault's window is a `vocabulary.FaultWindow` in offsets (seconds) from the
start of the method / load run, so the phase at an offset is `vocabulary.phase_at`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from chaos.faults import AnyFault, Fault
from vocabulary import FaultWindow, NestedFieldError

from .duration import Duration, PositiveDuration, format_duration

__all__ = [
    "FaultSpan",
    "TimedFault",
    "check_schedule_fits",
    "fault_spans",
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
    """A scheduled fault and its window (offsets in seconds; `end` inf if open-ended)."""

    index: int  # position in the schedule, for reports and error messages
    fault: Fault
    window: FaultWindow

    @property
    def label(self) -> str:
        end = "end" if self.window.is_open else format_duration(self.window.end)
        return f"{self.fault.kind} {format_duration(self.window.start)}..{end}"


def fault_spans(schedule: Sequence[TimedFault], method_s: float | None = None) -> list[FaultSpan]:
    """The schedule's spans sorted by start; open-ended ones end at `method_s` (or inf)."""
    until_end = method_s if method_s is not None else math.inf
    spans = [
        FaultSpan(
            index,
            timed.fault,
            FaultWindow(
                timed.start,
                timed.start + timed.duration if timed.duration is not None else until_end,
                timed.fault.kind,
            ),
        )
        for index, timed in enumerate(schedule)
    ]
    return sorted(spans, key=lambda span: (span.window.start, span.index))


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
