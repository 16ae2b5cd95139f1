"""The columnar phase rule labels every request as `phase_during` does, one at a time."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from vocabulary import FaultWindow, Phase, phase_during
from vocabulary.phase_arrays import phases_during

# Small integers and halves make a request start, end or touch a window's edge exactly,
# where a rule off by one comparison (`<` for `<=`) shows.
TIMES = st.one_of(
    st.integers(0, 30).map(float),
    st.integers(0, 60).map(lambda n: n / 2),
    st.floats(-1, 31, allow_nan=False),
)
WINDOWS = st.lists(
    st.builds(
        FaultWindow,
        TIMES,
        st.one_of(TIMES, st.just(math.inf)),  # an open window: still active at the end
    ),
    max_size=4,
)
# (start, end): an end before its start (a clock step) too, where `phase_at`'s own test
# of the start still decides
REQUESTS = st.lists(st.tuples(TIMES, TIMES), min_size=1, max_size=40)


@given(WINDOWS, REQUESTS)
def test_phases_during_equals_phase_during_request_by_request(
    windows: list[FaultWindow], requests: list[tuple[float, float]]
) -> None:
    starts = np.array([start for start, _ in requests])
    ends = np.array([end for _, end in requests])
    expected = [phase_during(start, end, windows).value for start, end in requests]
    assert phases_during(starts, ends, windows).tolist() == expected


def test_the_edges_of_a_window() -> None:
    windows = [FaultWindow(10.0, 20.0)]
    requests = {
        (9.0, 9.9): Phase.BASELINE,
        (9.0, 10.0): Phase.FAULT,  # answered at the instant the fault landed
        (20.0, 20.5): Phase.RECOVERY,  # the window's end already belongs to recovery
        (19.9, 25.0): Phase.FAULT,
    }
    starts, ends = (np.array(column) for column in zip(*requests, strict=True))
    assert phases_during(starts, ends, windows).tolist() == [p.value for p in requests.values()]
    assert phases_during(starts, ends, []).tolist() == ["baseline"] * len(requests)
