"""Sliding windows judged all at once agree with judging each window by its own interval."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from slo.accumulators import WINDOW_RESOLUTION
from slo.confseq import ratio_sequence
from slo.decision import against_bound
from slo.window_verdicts import ratio_verdicts, window_counts

_TARGETS = st.one_of(
    st.sampled_from([0.0, 1e-12, 0.001, 0.01, 0.05, 0.5, 0.99, 0.999, 1.0]),
    st.floats(min_value=0.0, max_value=1.0),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5_000), st.integers(1, 5_000)).map(lambda c: (min(c), max(c))),
        min_size=1,
        max_size=20,
    ),
    _TARGETS,
    st.booleans(),
    st.sampled_from([0.9, 0.95, 0.99]),
)
def test_every_window_gets_the_verdict_of_its_own_interval(
    counts: list[tuple[int, int]], target: float, at_most: bool, confidence: float
) -> None:
    hits = np.array([h for h, _ in counts], dtype=np.int64)
    totals = np.array([n for _, n in counts], dtype=np.int64)
    expected = [
        against_bound(ratio_sequence(h, n, confidence), target, at_most=at_most) for h, n in counts
    ]
    assert ratio_verdicts(hits, totals, target, at_most, confidence).tolist() == expected


def test_a_target_on_an_interval_end_is_judged_by_the_root_search() -> None:
    hits, total = 37, 1000
    _, upper = ratio_sequence(hits, total, 0.95)
    for target in (np.nextafter(upper, 0), upper, np.nextafter(upper, 1)):
        found = ratio_verdicts(np.array([hits]), np.array([total]), float(target), True, 0.95)
        assert found[0] == against_bound(ratio_sequence(hits, total, 0.95), target, at_most=True)


@given(
    st.dictionaries(
        st.integers(-50, 200),
        st.tuples(st.integers(0, 9), st.integers(1, 9)).map(lambda c: (min(c), max(c))),
        min_size=1,
    )
)
def test_window_sums_are_those_of_every_whole_window_holding_a_request(
    buckets: dict[int, tuple[int, int]],
) -> None:
    first, last = min(buckets), max(buckets)
    expected: list[tuple[int, int]] = []
    for start in range(first, max(first, last - WINDOW_RESOLUTION + 1) + 1):
        inside = [buckets[k] for k in range(start, start + WINDOW_RESOLUTION) if k in buckets]
        if inside:
            expected.append((sum(h for h, _ in inside), sum(n for _, n in inside)))
    hits, totals = window_counts(buckets)
    assert list(zip(hits.tolist(), totals.tolist(), strict=True)) == expected
