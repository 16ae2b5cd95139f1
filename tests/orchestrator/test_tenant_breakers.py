"""A breaker per tenant beside the tool's shared one, on a virtual clock: one tenant's own
upstream failures (its statements cut by their timeout) switch the tool off for that tenant
only; failures seen by two tenants or more open it for all."""

from __future__ import annotations

import pytest

from orchestrator import BreakerState, CircuitOpen, ToolErrorCode, VirtualClock
from orchestrator.breaker import TenantBreakers

TIMEOUT = ToolErrorCode.TIMEOUT


def _breakers(clock: VirtualClock, *, share: float = 0.5) -> TenantBreakers:
    return TenantBreakers(
        failure_threshold=4, cool_down_seconds=2.0, tenant_share=share, clock=clock, name="q"
    )


def _fail(breakers: TenantBreakers, tenant: str, times: int = 1) -> None:
    for _ in range(times):
        breakers.admit(tenant)
        breakers.record(tenant, TIMEOUT)


def test_one_tenants_timeouts_open_its_own_breaker_and_no_one_elses() -> None:
    breakers = _breakers(VirtualClock())
    _fail(breakers, "initech", times=4)
    with pytest.raises(CircuitOpen) as refused:
        breakers.admit("initech")
    assert "for tenant 'initech'" in refused.value.message
    breakers.admit("acme")  # the shared breaker stays closed: acme is let through
    assert breakers.state is BreakerState.CLOSED
    assert breakers.statistics().tenants_open == 1


def test_failures_seen_by_two_tenants_open_the_shared_breaker_for_all() -> None:
    breakers = _breakers(VirtualClock())
    _fail(breakers, "acme", times=2)
    _fail(breakers, "globex", times=2)
    assert breakers.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen):
        breakers.admit("initech")  # never failed itself, refused all the same


def test_a_success_from_any_tenant_resets_the_shared_streak() -> None:
    breakers = _breakers(VirtualClock())
    _fail(breakers, "acme", times=2)
    breakers.admit("globex")
    breakers.record("globex", None)
    _fail(breakers, "globex", times=1)
    _fail(breakers, "initech", times=1)
    assert breakers.state is BreakerState.CLOSED


def test_a_share_of_one_is_the_single_shared_breaker_of_old() -> None:
    breakers = _breakers(VirtualClock(), share=1.0)
    _fail(breakers, "initech", times=4)
    with pytest.raises(CircuitOpen):
        breakers.admit("acme")


def test_a_probe_refused_by_the_shared_breaker_is_given_back_to_the_tenant() -> None:
    clock = VirtualClock()
    breakers = _breakers(clock)
    _fail(breakers, "acme", times=4)  # acme's own breaker opens
    _fail(breakers, "globex", times=2)  # now the shared one too (2 + 2)
    clock.advance(2.0)
    breakers.admit("globex")  # the shared breaker's probe: still running
    with pytest.raises(CircuitOpen):
        breakers.admit("acme")  # acme's own breaker would probe, but the shared one refuses
    breakers.record("globex", None)  # the shared probe succeeded
    breakers.admit("acme")  # acme's own probe was given back, not left taken
    breakers.record("acme", None)
    assert breakers.statistics().tenants_open == 0


def test_caller_errors_stay_neutral_in_both() -> None:
    breakers = _breakers(VirtualClock())
    for _ in range(10):
        breakers.admit("initech")
        breakers.record("initech", ToolErrorCode.INVALID_ARGUMENTS)
    breakers.admit("initech")
    assert breakers.statistics().tenants_open == 0
