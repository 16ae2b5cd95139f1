"""Scheduled fault spans, and stop conditions on a sliding window."""

from __future__ import annotations

import math

from chaos.schedule import TimedFault, fault_spans
from scenarios.runner.stop_conditions import StopConditionMonitor, evaluate_stop_conditions
from scenarios.spec.stop_condition import StopCondition
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


CONDITION = StopCondition.model_validate(
    {"failed_ratio_above": 0.5, "window": "10s", "min_requests": 4}
)


def test_stop_condition_trips_only_with_enough_recent_failures() -> None:
    failing = [(float(t), "failed") for t in range(3)]
    assert evaluate_stop_conditions([CONDITION], failing, now_s=3.0) is None  # only 3 requests
    samples = [*failing, (3.0, "success")]
    decision = evaluate_stop_conditions([CONDITION], samples, now_s=3.0)
    assert decision is not None and (decision.failed, decision.total) == (3, 4)
    assert "0.75 > 0.5" in str(decision)
    # exactly at the bound is not above it
    assert (
        evaluate_stop_conditions(
            [CONDITION], [*failing[:2], (2.5, "success"), (3.0, "partial")], 3.0
        )
        is None
    )


def test_old_failures_slide_out_of_the_window() -> None:
    monitor = StopConditionMonitor([CONDITION])
    for t in range(4):
        monitor.record(float(t), "failed")
    assert monitor.tripped(4.0) is not None
    for t in range(11, 15):
        monitor.record(float(t), "success")
    assert monitor.tripped(15.0) is None  # the failures at 0..3 s are more than 10 s old


def test_counted_statuses_are_configurable() -> None:
    strict = StopCondition.model_validate(
        {"failed_ratio_above": 0.2, "min_requests": 2, "statuses": ["failed", "degraded"]}
    )
    samples = [(0.0, "degraded"), (0.5, "success"), (1.0, "degraded")]
    assert evaluate_stop_conditions([CONDITION, strict], samples, 1.0).condition_index == 1  # type: ignore[union-attr]
    assert StopConditionMonitor([]).tripped(1.0) is None
