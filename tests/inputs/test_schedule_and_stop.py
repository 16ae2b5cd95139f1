"""Phases over (overlapping) fault windows, and stop conditions on a sliding window."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from chaos.schedule import TimedFault, active_faults, fault_windows, phase_at
from scenarios.stop_conditions import StopCondition, StopConditionMonitor, evaluate_stop_conditions
from slo.observation import Phase


def _timed(start: str, duration: str | None = None, upstream: str = "metrics") -> TimedFault:
    raw: dict[str, object] = {
        "fault": {"kind": "latency", "upstream": upstream, "latency_ms": 100},
        "start": start,
    }
    if duration is not None:
        raw["duration"] = duration
    return TimedFault.model_validate(raw)


OVERLAPPING = [_timed("2s", "6s"), _timed("5s", "5s", upstream="ops"), _timed("14s", "1s")]


def test_phases_over_overlapping_windows() -> None:
    expected = {
        0.0: Phase.BASELINE,
        1.999: Phase.BASELINE,
        2.0: Phase.FAULT,  # windows are [start, end)
        7.5: Phase.FAULT,  # both active
        9.999: Phase.FAULT,  # only the second one
        10.0: Phase.RECOVERY,  # both rolled back
        14.5: Phase.FAULT,  # a later fault after a quiet gap
        15.0: Phase.RECOVERY,
    }
    assert {offset: phase_at(offset, OVERLAPPING) for offset in expected} == expected


def test_windows_are_sorted_and_open_ended_faults_last_to_the_method_end() -> None:
    schedule = [_timed("5s", "1s"), _timed("1s")]
    spans = fault_windows(schedule, method_s=20.0)
    assert [(span.index, span.start_s, span.end_s) for span in spans] == [
        (1, 1.0, 20.0),
        (0, 5.0, 6.0),
    ]
    assert math.isinf(fault_windows(schedule)[0].end_s)
    assert phase_at(19.0, spans) is Phase.FAULT
    assert phase_at(20.0, spans) is Phase.RECOVERY
    assert [span.index for span in active_faults(5.5, spans)] == [0, 1]


def test_no_faults_is_all_baseline() -> None:
    assert phase_at(1e6, []) is Phase.BASELINE


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), min_size=1, max_size=5),
    st.floats(0, 100),
)
def test_phase_is_fault_exactly_when_some_window_holds_it(
    windows: list[tuple[int, int]], offset: float
) -> None:
    schedule = [_timed(f"{start}s", f"{length}s") for start, length in windows]
    inside = any(start <= offset < start + length for start, length in windows)
    before_all = offset < min(start for start, _ in windows)
    phase = phase_at(offset, schedule)
    assert (phase is Phase.FAULT) == inside
    assert (phase is Phase.BASELINE) == before_all


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
