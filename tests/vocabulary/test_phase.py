"""The one phase function over (overlapping, open or closed) fault windows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vocabulary import FaultWindow, Phase, phase_at

OVERLAPPING = [FaultWindow(2.0, 8.0), FaultWindow(5.0, 10.0), FaultWindow(14.0, 15.0)]


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
    assert {t: phase_at(t, OVERLAPPING) for t in expected} == expected


def test_an_open_window_holds_until_closed_and_no_window_is_all_baseline() -> None:
    assert phase_at(1e9, [FaultWindow(10.0)]) is Phase.FAULT
    assert FaultWindow(10.0).is_open and not FaultWindow(10.0, 11.0).is_open
    assert phase_at(1e6, []) is Phase.BASELINE


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), min_size=1, max_size=5),
    st.floats(0, 100),
)
def test_phase_is_fault_exactly_when_some_window_holds_it(
    spans: list[tuple[int, int]], t: float
) -> None:
    windows = [FaultWindow(float(start), float(start + length)) for start, length in spans]
    inside = any(start <= t < start + length for start, length in spans)
    before_all = t < min(start for start, _ in spans)
    phase = phase_at(t, windows)
    assert (phase is Phase.FAULT) == inside
    assert (phase is Phase.BASELINE) == before_all
