"""The token bucket never admits more than its budget in any window (virtual clock)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator import TokenBucket, ToolError, ToolErrorCode, VirtualClock


@settings(max_examples=200, deadline=None)
@given(
    rate=st.integers(1, 120),
    burst=st.one_of(st.none(), st.integers(1, 20)),
    gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=200),
)
def test_admissions_never_exceed_the_budget_in_any_window(
    rate: int,
    burst: int | None,
    gaps: list[float],
) -> None:
    clock = VirtualClock()
    bucket = TokenBucket(rate, burst=burst, clock=clock)
    admitted: list[float] = []
    for gap in gaps:
        clock.advance(gap)
        if bucket.try_acquire():
            admitted.append(clock())
    capacity = bucket.burst
    for i in range(len(admitted)):
        for j in range(i, len(admitted)):
            window = admitted[j] - admitted[i]
            assert j - i + 1 <= capacity + window * rate / 60.0 + 1e-9
    stats = bucket.statistics()
    assert stats.admitted == len(admitted)
    assert stats.admitted + stats.rejected == len(gaps)


def test_a_full_bucket_admits_its_burst_then_fails_fast_until_it_refills() -> None:
    clock = VirtualClock()
    bucket = TokenBucket(60, burst=3, clock=clock, name="metrics")
    for _ in range(3):
        bucket.acquire_or_fail()
    with pytest.raises(ToolError) as refused:
        bucket.acquire_or_fail()
    assert refused.value.code is ToolErrorCode.RATE_LIMITED
    assert "60/min" in refused.value.message
    clock.advance(1.0)  # 60/min refills one token per second
    bucket.acquire_or_fail()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0)
    with pytest.raises(ValueError):
        TokenBucket(10, burst=0)
