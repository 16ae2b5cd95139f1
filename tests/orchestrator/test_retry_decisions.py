"""The retry decision is pure: idempotent reads, transient codes, room left before the deadline."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from orchestrator import CapabilityType, RetryPolicy, ToolErrorCode

POLICY = RetryPolicy(
    max_attempts=3, base_delay_seconds=0.02, max_delay_seconds=0.05, min_attempt_seconds=0.05
)


@given(
    code=st.sampled_from(ToolErrorCode),
    attempts=st.integers(1, 5),
    idempotent=st.booleans(),
    left=st.floats(0, 10, allow_nan=False),
)
def test_a_retry_happens_only_when_every_condition_holds(
    code: ToolErrorCode,
    attempts: int,
    idempotent: bool,
    left: float,
) -> None:
    delay = POLICY.next_delay(
        attempts_made=attempts, code=code, idempotent=idempotent, seconds_left=left
    )
    allowed = (
        idempotent
        and code in {ToolErrorCode.CONNECTION_ERROR, ToolErrorCode.UPSTREAM_ERROR}
        and attempts < 3
    )
    if delay is not None:
        assert allowed
        assert 0 <= delay <= 0.05 and left - delay >= 0.05
    elif allowed:
        assert left - POLICY.backoff(attempts) < 0.05


def test_backoff_grows_and_is_capped() -> None:
    assert [POLICY.backoff(n) for n in (1, 2, 3)] == [0.02, 0.04, 0.05]


def test_only_reads_are_idempotent() -> None:
    assert {t for t in CapabilityType if t.idempotent} == {
        CapabilityType.READ_ONLY,
        CapabilityType.TIME_SERIES,
    }
