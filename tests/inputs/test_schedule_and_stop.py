"""Scheduled fault spans (stop conditions: tests/chaos/test_stop_watch.py)."""

from __future__ import annotations

import math

from chaos.schedule import TimedFault, fault_spans
from vocabulary import Phase, phase_at


def _timed(start: str, duration: str | None = None, upstream: str = "metrics") -> TimedFault:
    raw: dict[str, object] = {
        "fault": {"kind": "latency", "upstream": upstream, "latency_ms": 100},
        "start": start,
    }
    if duration is not None:
        raw["duration"] = duration
    return TimedFault.model_validate(raw)


def test_spans_are_sorted_and_open_ended_faults_last_to_the_method_end() -> None:
    schedule = [_timed("5s", "1s"), _timed("1s")]
    spans = fault_spans(schedule, method_s=20.0)
    assert [(span.index, span.window.start, span.window.end) for span in spans] == [
        (1, 1.0, 20.0),
        (0, 5.0, 6.0),
    ]
    assert math.isinf(fault_spans(schedule)[0].window.end)
    windows = [span.window for span in spans]
    assert phase_at(19.0, windows) is Phase.FAULT
    assert phase_at(20.0, windows) is Phase.RECOVERY
    assert [span.index for span in spans if span.window.contains(5.5)] == [1, 0]
    assert spans[1].label == "latency 5s..6s" and windows[1].label == "latency"
