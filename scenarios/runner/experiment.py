"""One scenario, start to end: steady state, method under faults, rollback, steady state again.

    hypothesis before ─► method (workload ∥ fault schedule, stop conditions) ─► rollback
                      ─► hypothesis after (within a grace period) ─► audit count ─► checks

Like a Chaos Toolkit experiment, a hypothesis that does not hold before the method
skips the method (there is nothing to learn from breaking a broken world). Unlike it,
faults are timed and may overlap, every request is recorded with its phase, and the
hypothesis after rollback is retried for a grace period so recovery time is measured
rather than assumed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx
import psycopg

from chaos.faults import FaultError, TenantAttack, applied
from chaos.schedule import TimedFault
from chaos.world import World
from scenarios.spec.model import Scenario, SteadyState
from slo import Check
from vocabulary import FaultWindow, Phase, phase_at

from .exchange import Outcome, exchange
from .expectation_checks import judge_expectations, judge_status
from .stop_conditions import StopConditionMonitor
from .traffic import TrafficMix

RECOVERY_GRACE_S = 20.0  # how long the hypothesis after rollback may take to hold again
# Before the method a short grace too: a breaker opened by the previous scenario closes
# after its cool-down, and that is the world settling, not a broken steady state.
SETTLE_GRACE_S = 10.0


@dataclass
class ScenarioResult:
    scenario: Scenario
    outcomes: list[Outcome] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    fault_windows: list[FaultWindow] = field(default_factory=list)
    aborted: str | None = None
    started: float = 0.0
    ended: float = 0.0

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


class _Phases:
    """The phase a request starts in, from the windows of the faults actually applied."""

    def __init__(self) -> None:
        self.active: list[TimedFault] = []
        self.windows: list[FaultWindow] = []  # epoch seconds; open while the fault holds

    @property
    def now(self) -> Phase:
        return phase_at(time.time(), self.windows)

    def opened(self, timed: TimedFault) -> FaultWindow:
        window = FaultWindow(time.time(), label=timed.fault.kind)
        self.active.append(timed)
        self.windows.append(window)
        return window

    def closed(self, timed: TimedFault, window: FaultWindow) -> FaultWindow:
        self.active.remove(timed)
        done = FaultWindow(window.start, time.time(), window.label)
        self.windows[self.windows.index(window)] = done
        return done

    def attacks(self, always: Sequence[TenantAttack]) -> list[TenantAttack]:
        timed = [t.fault for t in self.active if isinstance(t.fault, TenantAttack)]
        return [*always, *timed]


async def run_experiment(
    scenario: Scenario,
    world: World,
    client: httpx.AsyncClient,
    *,
    seed: int,
    record: Callable[[Outcome], None],
) -> ScenarioResult:
    """Run `scenario`; every outcome goes to `record` as it arrives (written at once)."""
    result = ScenarioResult(scenario, started=time.time())
    traffic = TrafficMix(scenario.workload, world.tenant_keys, seed)
    phases = _Phases()

    def keep(outcome: Outcome) -> None:
        result.outcomes.append(outcome)
        record(outcome)

    async def hypothesis(steady: SteadyState, *, grace_s: float) -> tuple[bool, str]:
        return await _hypothesis(
            scenario, steady, traffic, world, client, phases, keep, grace_s=grace_s
        )

    await asyncio.to_thread(world.heal)
    if scenario.steady_state is not None:
        held, detail = await hypothesis(scenario.steady_state, grace_s=SETTLE_GRACE_S)
        result.checks.append(Check(scenario.name, "steady state before", held, detail))
        if not held:
            result.aborted = "steady state did not hold before the faults"
            result.ended = time.time()
            return result
    result.aborted = await _method(scenario, traffic, world, client, phases, keep, result)
    if scenario.steady_state is not None:
        held, detail = await hypothesis(scenario.steady_state, grace_s=RECOVERY_GRACE_S)
        result.checks.append(Check(scenario.name, "steady state after rollback", held, detail))
    if result.aborted:
        result.checks.append(Check(scenario.name, "stop conditions", False, result.aborted))
    audit_rows = await asyncio.to_thread(_count_audit_records, world, result.outcomes)
    result.checks.extend(judge_expectations(scenario, result.outcomes, audit_rows=audit_rows))
    result.ended = time.time()
    return result


async def _method(
    scenario: Scenario,
    traffic: TrafficMix,
    world: World,
    client: httpx.AsyncClient,
    phases: _Phases,
    keep: Callable[[Outcome], None],
    result: ScenarioResult,
) -> str | None:
    workload = scenario.workload
    monitor = StopConditionMonitor(scenario.stop_conditions)
    done = asyncio.Event()
    aborted: list[str] = []
    started = time.monotonic()
    sent = 0
    next_at = 0.0  # offset of the next paced send

    def next_slot() -> float | None:
        """Seconds to wait before the next request may go, or None when the method is over.

        Paced sends never catch up: slots missed while the service was slow are skipped,
        so the workload never exceeds its rate (a catch-up burst would be a fault of its own).
        """
        nonlocal sent, next_at
        elapsed = time.monotonic() - started
        if done.is_set() or (workload.requests is not None and sent >= workload.requests):
            return None
        if workload.duration is not None and elapsed >= workload.duration:
            return None
        sent += 1
        if not workload.rate:
            return 0.0
        slot = max(next_at, elapsed)
        next_at = slot + 1.0 / workload.rate
        return slot - elapsed

    async def worker() -> None:
        while (wait := next_slot()) is not None:
            await asyncio.sleep(wait)
            request = traffic.draw(phases.attacks(scenario.attacks))
            outcome = await exchange(
                client, request, scenario=scenario.name, phase=phases.now, tenants=world.tenants
            )
            keep(outcome)
            now = time.monotonic() - started
            monitor.record(now, outcome.observation.status)
            if (decision := monitor.tripped(now)) is not None and not aborted:
                aborted.append(f"stop condition tripped: {decision}")
                done.set()

    async def hold(timed: TimedFault) -> None:
        await _wait_or(done, timed.start)
        if done.is_set():
            return
        # The fault phase opens when injection starts (stopping a server takes a moment,
        # and requests sent meanwhile already meet the fault) and closes after rollback.
        window = phases.opened(timed)
        try:
            async with applied(timed.fault, world):
                if timed.duration is None:
                    await done.wait()
                else:
                    await _wait_or(done, timed.duration)
        finally:
            result.fault_windows.append(phases.closed(timed, window))

    async with asyncio.TaskGroup() as faults:
        for timed in scenario.faults:
            faults.create_task(hold(timed))
        async with asyncio.TaskGroup() as workers:
            for _ in range(workload.concurrency):
                workers.create_task(worker())
        done.set()  # open-ended faults end with the method
    return aborted[0] if aborted else None


async def _hypothesis(
    scenario: Scenario,
    steady: SteadyState,
    traffic: TrafficMix,
    world: World,
    client: httpx.AsyncClient,
    phases: _Phases,
    keep: Callable[[Outcome], None],
    *,
    grace_s: float = 0.0,
) -> tuple[bool, str]:
    """Send `steady.requests` requests and judge them; retry until `grace_s` has passed."""
    deadline = time.monotonic() + grace_s
    tries = 0
    while True:
        tries += 1
        batch = [
            await exchange(
                client,
                traffic.draw(),
                scenario=scenario.name,
                phase=phases.now,
                tenants=world.tenants,
            )
            for _ in range(steady.requests)
        ]
        for outcome in batch:
            keep(outcome)
        held, detail = _steady_holds(steady, batch)
        if held or time.monotonic() >= deadline:
            return held, detail + (f" (held after {tries} tries)" if tries > 1 and held else "")
        await asyncio.sleep(0.5)


def _steady_holds(steady: SteadyState, batch: Sequence[Outcome]) -> tuple[bool, str]:
    held, detail = judge_status(steady.status, batch) if steady.status else (True, "")
    if steady.max_latency_ms is not None:
        slowest = max(o.observation.latency_ms for o in batch)
        held = held and slowest <= steady.max_latency_ms
        detail = f"{detail}; slowest {slowest:.0f} ms (bound {steady.max_latency_ms:.0f} ms)"
    return held, detail.strip("; ")


async def _wait_or(event: asyncio.Event, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass


def _count_audit_records(
    world: World, outcomes: Sequence[Outcome]
) -> dict[tuple[str, str], int] | None:
    """Audit rows per (tenant, request id) of this scenario (as the owner, who bypasses
    RLS). Audit is keyed per tenant: two tenants may use one request id."""
    ids = sorted({o.observation.request_id for o in outcomes if o.observation.request_id})
    try:
        with psycopg.connect(world.admin_dsn, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT tenant_id, request_id, count(*) FROM ops.audit_log "
                "WHERE request_id = ANY(%s) GROUP BY tenant_id, request_id",
                [ids],
            )
            return {(tenant, request_id): count for tenant, request_id, count in rows}
    except (psycopg.Error, FaultError):  # FaultError: a running system's database is not ours
        return None
