"""Order statistics selected together read the same samples as a full sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from slo.latency import ExactLatencies

_LATENCIES = st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=300)


@given(_LATENCIES, st.lists(st.integers(-5, 400), max_size=6), st.floats(0, 1e6))
def test_ranks_and_counts_agree_with_the_sorted_samples(
    latencies: list[float], ranks: list[int], threshold: float
) -> None:
    ascending = sorted(latencies)
    exact = ExactLatencies(np.array(latencies))
    expected = [ascending[min(max(rank, 1), len(ascending)) - 1] for rank in ranks]
    assert exact.at_ranks(*ranks, None) == [*expected, None]
    assert exact.count_above(threshold) == sum(1 for x in latencies if x > threshold)
