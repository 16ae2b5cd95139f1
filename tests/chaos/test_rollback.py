"""A fault always rolls back: after an exception, after SIGINT, and rollback is idempotent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from contextlib import ExitStack
from pathlib import Path
from typing import Literal

import pytest
from chaos_world import TestWorld

from chaos.faults import Fault, FaultInjectionError, applied, parse_fault
from chaos.toxiproxy import ProxyHandle, ToxiproxyClient

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_rollback_after_an_exception_leaves_no_toxic(world: TestWorld, proxy: ProxyHandle) -> None:
    fault = parse_fault({"kind": "timeout", "upstream": "ops", "timeout_ms": 0})
    with pytest.raises(RuntimeError, match="scenario crashed"), fault.apply(world):
        assert len(world.toxiproxy.toxics(proxy.name)) == 1
        raise RuntimeError("scenario crashed")
    assert world.toxiproxy.toxics(proxy.name) == []


def test_rollback_after_keyboard_interrupt_reenables_the_proxy(
    world: TestWorld, proxy: ProxyHandle
) -> None:
    with (
        pytest.raises(KeyboardInterrupt),
        parse_fault({"kind": "down", "upstream": "ops"}).apply(world),
    ):
        raise KeyboardInterrupt
    assert world.toxiproxy.proxy(proxy.name).enabled


def test_a_failed_injection_is_reported_and_undone(world: TestWorld, proxy: ProxyHandle) -> None:
    world.proxies = {"ops": "no_such_proxy", "metrics": proxy.name}
    fault = parse_fault({"kind": "latency", "upstream": "ops", "latency_ms": 5})
    with (
        pytest.raises(FaultInjectionError, match="latency: could not inject"),
        fault.apply(world),
    ):
        pytest.fail("the body must not run when injection failed")


class _TwoStepFault(Fault):
    """Adds a toxic, then fails: its undo must still remove the toxic."""

    kind: Literal["two_step_for_test"] = "two_step_for_test"

    def inject(self, target: TestWorld, undo: ExitStack) -> None:  # type: ignore[override]
        parse_fault({"kind": "latency", "upstream": "ops", "latency_ms": 5}).inject(target, undo)
        raise ValueError("second step failed")


def test_a_half_done_injection_is_rolled_back(world: TestWorld, proxy: ProxyHandle) -> None:
    with (
        pytest.raises(FaultInjectionError, match="second step failed"),
        _TwoStepFault().apply(world),
    ):
        pass
    assert world.toxiproxy.toxics(proxy.name) == []


def test_sigint_to_a_process_holding_a_fault_rolls_it_back(
    toxiproxy: ToxiproxyClient, proxy: ProxyHandle
) -> None:
    child_code = textwrap.dedent(
        f"""
        import signal, sys, time
        # Ctrl-C as a terminal delivers it, even if this test runs as a background job
        # (which inherits an ignored SIGINT).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from chaos_world import TestWorld
        from chaos.faults import parse_fault
        from chaos.toxiproxy import ToxiproxyClient

        world = TestWorld(ToxiproxyClient({toxiproxy.api_url!r}),
                          proxies={{"ops": {proxy.name!r}, "metrics": {proxy.name!r}}})
        fault = parse_fault({{"kind": "latency", "upstream": "ops", "latency_ms": 1000}})
        with fault.apply(world):
            print("applied", flush=True)
            time.sleep(60)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", child_code], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "applied"
        assert len(toxiproxy.toxics(proxy.name)) == 1
        os.kill(child.pid, signal.SIGINT)
        returncode = child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert returncode != 0  # it died of the KeyboardInterrupt...
    assert toxiproxy.toxics(proxy.name) == []  # ...after rolling the fault back


def test_rollback_is_idempotent(world: TestWorld, proxy: ProxyHandle) -> None:
    with parse_fault({"kind": "latency", "upstream": "ops", "latency_ms": 5}).apply(world):
        world.toxiproxy.reset()  # someone else already cleaned up
    assert world.toxiproxy.toxics(proxy.name) == []
    with parse_fault({"kind": "down", "upstream": "ops"}).apply(world):
        world.toxiproxy.enable(proxy.name)
    assert world.toxiproxy.proxy(proxy.name).enabled


def test_async_apply_rolls_back_when_a_deadline_cancels_the_block(
    world: TestWorld, proxy: ProxyHandle
) -> None:
    fault = parse_fault({"kind": "latency", "upstream": "ops", "latency_ms": 5})

    async def hold_past_the_deadline() -> int:
        async with asyncio.timeout(0.3):
            async with applied(fault, world):
                toxics_inside = len(await asyncio.to_thread(world.toxiproxy.toxics, proxy.name))
                try:
                    await asyncio.sleep(30)
                finally:
                    assert toxics_inside == 1
        return toxics_inside

    with pytest.raises(TimeoutError):
        asyncio.run(hold_past_the_deadline())
    assert world.toxiproxy.toxics(proxy.name) == []
