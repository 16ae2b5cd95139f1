"""One scenario, start to end: steady state, method under faults, rollback, steady state again.

    hypothesis before ─► method (workload ∥ fault schedule, stop conditions) ─► rollback
                      ─► hypothesis after (within a grace period) ─► audit count ─► checks

Like a Chaos Toolkit experiment, a hypothesis that does not hold before the method
skips the method (there is nothing to learn from breaking a broken world). Unlike it,
faults are timed and may overlap, every request is recorded with its phase, each phase
of the method lasts until what concerns it is decided (`method`, `conductor`), and the
hypothesis after rollback is retried for a grace period so recovery time is measured
rather than assumed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import psycopg

from chaos.faults import FaultError
from chaos.world import World
from scenarios.spec.expectations import AuditDetailWhole
from scenarios.spec.model import Scenario, SteadyState
from slo import Check, NotJudged, Verdict
from vocabulary import FaultWindow

from .audit_detail import read_audit_details
from .exchange import Outcome
from .expectation_checks import check_name, judge_expectations, judge_status
from .memory_watch import MemoryWatch
from .method import ExperimentRun, MethodTally, run_method
from .metrics_watch import MetricsWatch
from .service_client import ServiceClient
from .spool_watch import SpoolWatch
from .statement_watch import StatementWatch
from .traffic import PlannedRequest, TrafficMix

RECOVERY_GRACE_S = 20.0  # how long the hypothesis after rollback may take to hold again
# Before the method a short grace too: a breaker opened by the previous scenario closes
# after its cool-down, and that is the world settling, not a broken steady state.
SETTLE_GRACE_S = 10.0
AUDIT_GRACE_S = 10.0  # how long acknowledged audit records may take to land (spool replay)


@dataclass
class ScenarioResult:
    scenario: Scenario
    outcomes: list[Outcome] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    tally: MethodTally = field(default_factory=MethodTally)
    aborted: str | None = None
    interrupted: bool = False  # stopped by Ctrl-C / SIGTERM before its end
    started: float = 0.0
    ended: float = 0.0
    unobserved: list[NotJudged] = field(default_factory=list)  # what could not be measured

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def not_judged(self) -> list[NotJudged]:
        """What the scenario leaves unjudged: no promise of the system in effect."""
        name = self.scenario.name
        if self.scenario.not_applicable is not None:
            return [NotJudged(name, "scenario", f"not applicable: {self.scenario.not_applicable}")]
        declared = [NotJudged(name, check_name(e), why) for e, why in self.scenario.not_judged]
        return declared + self.unobserved

    @property
    def fault_windows(self) -> list[FaultWindow]:
        return self.tally.windows


async def run_experiment(
    scenario: Scenario,
    world: World,
    client: ServiceClient,
    *,
    seed: int,
    record: Callable[[Outcome], None],
    stop: asyncio.Event | None = None,
    into: ScenarioResult | None = None,
) -> ScenarioResult:
    """Run `scenario`; every outcome goes to `record` as it arrives (written at once).

    Once `stop` is set (a first Ctrl-C) no new request is sent: the requests in flight
    are answered and recorded, the faults roll back, and the result is marked interrupted.
    `into`: a result the caller already holds, filled as the run goes (kept if cancelled).
    """
    result = into or ScenarioResult(scenario)
    result.started = time.time()
    run = _experiment_run(scenario, world, client, seed=seed, record=record, stop=stop, into=result)
    # A scenario needing a knob the system does not have, or a fault that cannot land,
    # is reported as such and never run.
    if scenario.not_applicable is None and _faults_can_land(scenario, world, result):
        await _method_between_steady_states(run, result)
    result.ended = time.time()
    return result


def _experiment_run(
    scenario: Scenario,
    world: World,
    client: ServiceClient,
    *,
    seed: int,
    record: Callable[[Outcome], None],
    stop: asyncio.Event | None,
    into: ScenarioResult,
) -> ExperimentRun:
    """The run's shared state, keeping each outcome in `into` as well as recording it."""

    def keep(outcome: Outcome) -> None:
        into.outcomes.append(outcome)
        record(outcome)

    return ExperimentRun(
        scenario,
        TrafficMix(scenario.workload, world.tenant_keys, seed),
        world,
        client,
        keep=keep,
        stop=stop or asyncio.Event(),
        outcomes=into.outcomes,
        tally=into.tally,
    )


def _faults_can_land(scenario: Scenario, world: World, result: ScenarioResult) -> bool:
    """Whether every fault can land on `world`; if not, `result` says which cannot and why."""
    unavailable = _faults_that_cannot_land(scenario, world)
    if unavailable:
        # Nothing the scenario judges would test its fault: inconclusive, never a pass.
        result.checks.append(
            Check(scenario.name, "fault landed", Verdict.INCONCLUSIVE, unavailable)
        )
    return not unavailable


async def _method_between_steady_states(run: ExperimentRun, result: ScenarioResult) -> None:
    """Heal, check the steady state, run the method, check it again, judge the outcomes."""
    await asyncio.to_thread(run.world.heal)
    run.tally.mark("heal")
    if not await _steady_before(run, result):
        result.aborted = "steady state did not hold before the faults"
        return
    memory = MemoryWatch.start(run.scenario, run.client.base_url)
    scrapes = await MetricsWatch.start(run.scenario, run.client, run.world.tenant_keys)
    spool = SpoolWatch.start(run.scenario, run.world)
    result.unobserved = memory.not_judged + scrapes.not_judged + spool.not_judged
    statements = StatementWatch.begin(run.world, run.scenario)
    try:
        result.aborted = await spool.during(run_method(run))
        run.tally.mark("method")
        scraped = await scrapes.checks(run.client, run.world.tenant_keys)
        watched = memory.checks() + scraped + spool.checks()
        result.checks.extend(watched + _landing_evidence(run.scenario))
        await _steady_after(run, result)
        await _judge_outcomes(run, result, statements)
    finally:
        await statements.close()  # the server back to logging only failed statements
    result.interrupted = run.stop.is_set()


async def _judge_outcomes(
    run: ExperimentRun, result: ScenarioResult, statements: StatementWatch
) -> None:
    """Every expectation judged on the outcomes, the audit records they left and the
    statements the database saw."""
    audit_rows = await _audit_records_settled(run.world, result.outcomes)
    audit_details = None
    if any(isinstance(e, AuditDetailWhole) for e in run.scenario.expectations):
        audit_details = await asyncio.to_thread(read_audit_details, run.world, result.outcomes)
    run.tally.mark("audit count")
    result.checks.extend(
        judge_expectations(
            run.scenario,
            result.outcomes,
            audit_rows=audit_rows,
            audit_details=audit_details,
            decided=run.decided,
            seen_by_database=await statements.seen(),
        )
    )


async def _steady_before(run: ExperimentRun, result: ScenarioResult) -> bool:
    """Whether the steady state held before the method (true when there is none to check)."""
    steady = run.scenario.steady_state
    if steady is None or run.stop.is_set():
        return True
    held, detail = await _hypothesis(run, steady, grace_s=SETTLE_GRACE_S)
    run.tally.mark("steady state before")
    result.checks.append(Check(run.scenario.name, "steady state before", Verdict.of(held), detail))
    return held


async def _steady_after(run: ExperimentRun, result: ScenarioResult) -> None:
    """The steady state after rollback, and the stop conditions' check if one tripped."""
    steady = run.scenario.steady_state
    if steady is not None and not run.stop.is_set():
        held, detail = await _hypothesis(run, steady, grace_s=RECOVERY_GRACE_S)
        run.tally.mark("steady state after")
        after = Check(run.scenario.name, "steady state after rollback", Verdict.of(held), detail)
        result.checks.append(after)
    if result.aborted:
        result.checks.append(
            Check(run.scenario.name, "stop conditions", Verdict.FAIL, result.aborted)
        )


def _landing_evidence(scenario: Scenario) -> list[Check]:
    """A check per applied fault that can tell whether it met the system: pass when it
    did, inconclusive when it met nothing (what the scenario judged never met the fault)."""
    checks = []
    for timed in scenario.faults:
        if (evidence := timed.fault.evidence()) is not None:
            met, detail = evidence
            verdict = Verdict.PASS if met else Verdict.INCONCLUSIVE
            checks.append(Check(scenario.name, f"{timed.fault.kind} landed", verdict, detail))
    return checks


def _faults_that_cannot_land(scenario: Scenario, world: World) -> str:
    """One line naming each fault of `scenario` that cannot land on `world`, and why."""
    reasons = [
        f"{timed.fault.kind}: {reason}"
        for timed in scenario.faults
        if (reason := timed.fault.unavailable_on(world)) is not None
    ]
    return "; ".join(reasons)


async def _hypothesis(
    run: ExperimentRun, steady: SteadyState, *, grace_s: float = 0.0
) -> tuple[bool, str]:
    """Send `steady.requests` requests and judge them; retry until `grace_s` has passed."""
    deadline = time.monotonic() + grace_s
    tries = 0
    while True:
        tries += 1
        batch = await _send_batch(run, steady.requests)
        for outcome in batch:
            run.keep(outcome)
        held, detail = _steady_holds(steady, batch)
        if held or time.monotonic() >= deadline:
            return held, detail + (f" (held after {tries} tries)" if tries > 1 and held else "")
        await asyncio.sleep(0.5)


async def _send_batch(run: ExperimentRun, count: int) -> list[Outcome]:
    """`count` requests, as many at a time as the workload's callers (no more: a burst would
    meet the bulkheads, and the hypothesis is about the steady state)."""
    callers = asyncio.Semaphore(run.scenario.workload.concurrency)
    requests = [run.traffic.draw() for _ in range(count)]

    async def one(request: PlannedRequest) -> Outcome:
        async with callers:
            return await run.send(request)

    async with asyncio.TaskGroup() as group:
        sends = [group.create_task(one(request)) for request in requests]
    return [task.result() for task in sends]


def _steady_holds(steady: SteadyState, batch: Sequence[Outcome]) -> tuple[bool, str]:
    held, detail = judge_status(steady.status, batch) if steady.status else (True, "")
    if steady.max_latency_ms is not None:
        slowest = max(o.observation.latency_ms for o in batch)
        held = held and slowest <= steady.max_latency_ms
        detail = f"{detail}; slowest {slowest:.0f} ms (bound {steady.max_latency_ms:.0f} ms)"
    return held, detail.strip("; ")


async def _audit_records_settled(
    world: World, outcomes: Sequence[Outcome]
) -> dict[tuple[str, str], int] | None:
    """Audit rows per (tenant, request id), once every acknowledged record has landed or
    AUDIT_GRACE_S has passed: a spooled record is written when the spool replays, a moment
    after its request was answered, so one count would judge the timing, not the audit."""
    acknowledged = {
        (o.observation.tenant, o.observation.request_id)
        for o in outcomes
        if o.audit_acknowledged or o.audit_owed
    }
    deadline = time.monotonic() + AUDIT_GRACE_S
    while True:
        rows = await asyncio.to_thread(_count_audit_records, world, outcomes)
        landed = rows is not None and all(rows.get(key, 0) for key in acknowledged)
        if landed or time.monotonic() >= deadline:
            return rows
        await asyncio.sleep(0.25)


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
