"""Breaker transitions on a virtual clock."""

from __future__ import annotations

import pytest

from orchestrator import (
    BreakerState,
    CircuitBreaker,
    CircuitOpen,
    ToolErrorCode,
    VirtualClock,
)

TIMEOUT = ToolErrorCode.TIMEOUT


def _breaker(clock: VirtualClock) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=3, cool_down_seconds=10.0, clock=clock, name="ops")


def _fail(breaker: CircuitBreaker, code: ToolErrorCode = TIMEOUT, times: int = 1) -> None:
    for _ in range(times):
        breaker.admit()
        breaker.record(code)


def test_opens_after_n_consecutive_upstream_failures_and_fails_fast() -> None:
    clock = VirtualClock()
    breaker = _breaker(clock)
    _fail(breaker, times=2)
    assert breaker.state is BreakerState.CLOSED
    _fail(breaker, ToolErrorCode.CONNECTION_ERROR)
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen) as refused:
        breaker.admit()
    assert refused.value.code is ToolErrorCode.CIRCUIT_OPEN
    assert "circuit breaker is open" in refused.value.message
    assert breaker.statistics().rejected == 1


def test_a_success_resets_the_failure_count() -> None:
    breaker = _breaker(VirtualClock())
    _fail(breaker, times=2)
    breaker.admit()
    breaker.record(None)
    _fail(breaker, times=2)
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.parametrize(
    "code",
    [
        ToolErrorCode.TENANT_VIOLATION,
        ToolErrorCode.UNSAFE_QUERY,
        ToolErrorCode.INVALID_ARGUMENTS,
        ToolErrorCode.RESULT_TOO_LARGE,
    ],
)
def test_security_and_argument_errors_never_trip_it(code: ToolErrorCode) -> None:
    breaker = _breaker(VirtualClock())
    _fail(breaker, code, times=10)
    assert breaker.state is BreakerState.CLOSED


def test_half_open_admits_one_probe_and_closes_on_success() -> None:
    clock = VirtualClock()
    breaker = _breaker(clock)
    _fail(breaker, times=3)
    clock.advance(9.9)
    with pytest.raises(CircuitOpen):
        breaker.admit()
    clock.advance(0.1)
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.admit()  # the probe
    with pytest.raises(CircuitOpen) as second:
        breaker.admit()
    assert "half-open" in second.value.message
    breaker.record(None)
    assert breaker.state is BreakerState.CLOSED
    breaker.admit()


def test_a_failed_probe_reopens_for_a_fresh_cool_down() -> None:
    clock = VirtualClock()
    breaker = _breaker(clock)
    _fail(breaker, times=3)
    clock.advance(10)
    _fail(breaker)  # the probe fails
    assert breaker.state is BreakerState.OPEN
    clock.advance(5)
    with pytest.raises(CircuitOpen):
        breaker.admit()
    clock.advance(5)
    breaker.admit()
    assert breaker.statistics().times_opened == 2


def test_a_neutral_probe_outcome_lets_the_next_probe_through() -> None:
    clock = VirtualClock()
    breaker = _breaker(clock)
    _fail(breaker, times=3)
    clock.advance(10)
    breaker.admit()
    breaker.record(ToolErrorCode.CANCELLED)
    breaker.admit()  # not stuck waiting for a probe that will never report
    assert breaker.state is BreakerState.HALF_OPEN
