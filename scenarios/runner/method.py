"""The method of an experiment: the workload sent while the faults are applied on time.

    conductor (stretch by stretch: inject, wait until decided, roll back)
      ∥ one hold task per fault (applied as a context manager that always rolls back)
      ∥ `concurrency` workers (paced sends, each answer judged and recorded at once)

Each request is recorded with the phase it lived through (`vocabulary.phase_during`):
one that was in flight when a fault landed met the fault, so `baseline` holds only
healthy steady traffic. A workload marked `burst` records its method as `burst`, and the
steady state checked after it as `recovery`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chaos.faults import Fault, TenantAttack, applied
from chaos.stop_watch import StopWatch
from chaos.world import World
from scenarios.spec.model import Scenario
from vocabulary import FaultWindow, Phase, phase_during

from .attack_sender import send_beside
from .conductor import conduct, plan_stretches
from .exchange import Outcome, exchange
from .expectation_checks import Decided, undecided
from .pacing import Pacing
from .service_client import ServiceClient
from .traffic import PlannedRequest, TrafficMix


class Phases:
    """The phase a request lived through, from the windows of the faults actually applied.

    A timed attack's window stays open after its rollback until its last request is back:
    those requests run on (up to their deadline), and what they do to the others (slots
    they hold, a breaker their failures open at the end) is the attack's doing. The
    recovery begins when the attack is over, not when it stopped sending."""

    def __init__(self) -> None:
        self.windows: list[FaultWindow] = []  # epoch seconds; open while the fault holds
        self.attacks: list[TenantAttack] = []  # timed attacks being applied
        self.in_burst = False
        self.burst_over = False
        self._out: dict[int, int] = {}  # requests of each timed attack (by id) still out
        self._all_back: dict[int, asyncio.Event] = {}

    def attack_of(self, request: PlannedRequest) -> TenantAttack | None:
        """The timed attack that shaped `request`, if one did."""
        return next((a for a in self.attacks if a.kind == request.attack), None)

    def sent(self, attack: TenantAttack) -> None:
        key = id(attack)
        self._out[key] = self._out.get(key, 0) + 1
        self._all_back.setdefault(key, asyncio.Event()).clear()

    def back(self, attack: TenantAttack) -> None:
        key = id(attack)
        self._out[key] -= 1
        if not self._out[key]:
            self._all_back[key].set()

    async def all_back(self, attack: TenantAttack) -> None:
        if self._out.get(id(attack)):
            await self._all_back[id(attack)].wait()

    def during(self, start: float, end: float) -> Phase:
        if self.in_burst:
            return Phase.BURST
        phase = phase_during(start, end, self.windows)
        return Phase.RECOVERY if phase is Phase.BASELINE and self.burst_over else phase


@dataclass
class MethodTally:
    windows: list[FaultWindow] = field(default_factory=list)  # closed fault windows
    stretches: list[tuple[Phase, float]] = field(default_factory=list)  # phase, seconds run
    interrupted: int = 0  # requests abandoned in flight by a hard interrupt
    steps: list[tuple[str, float]] = field(default_factory=list)  # step, seconds it took
    _last: float = field(default_factory=time.monotonic)

    def mark(self, step: str) -> None:
        """Record how long `step` took, up to now (where a scenario's wall time goes)."""
        now = time.monotonic()
        self.steps.append((step, now - self._last))
        self._last = now


@dataclass
class ExperimentRun:
    """What one scenario's run shares between its steps: the world it drives, the requests
    it sends, and the journal of what happened (outcomes, fault windows, decided verdicts)."""

    scenario: Scenario
    traffic: TrafficMix
    world: World
    client: ServiceClient
    keep: Callable[[Outcome], None]  # records an outcome as it arrives
    stop: asyncio.Event  # a first Ctrl-C: no new request, roll back, finish
    outcomes: Sequence[Outcome] = ()  # every outcome kept so far
    phases: Phases = field(default_factory=Phases)
    tally: MethodTally = field(default_factory=MethodTally)
    decided: Decided = field(default_factory=dict)  # statistical verdicts, kept once decided

    async def send(self, request: PlannedRequest) -> Outcome:
        """One exchange; a hard interrupt abandons it as `interrupted`, never as `failed`."""
        try:
            return await exchange(
                self.client,
                request,
                scenario=self.scenario.name,
                phase_of=self.phases.during,
                tenants=self.world.tenants,
            )
        except asyncio.CancelledError:
            self.tally.interrupted += 1
            raise


class _FaultHold:
    """One timed fault's life: held from `begin` until `end` (or the method's end), applied
    as a context manager so it always rolls back, with its window in `phases`."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.go, self.injected = asyncio.Event(), asyncio.Event()
        self.release, self.released = asyncio.Event(), asyncio.Event()

    async def hold(self, run: ExperimentRun, done: asyncio.Event) -> None:
        await _first(self.go, done)
        if done.is_set():
            self.released.set()
            return
        # The fault phase opens when injection starts (stopping a server takes a moment,
        # and requests sent meanwhile already meet the fault) and closes after rollback.
        window = FaultWindow(time.time(), label=self.fault.kind)
        run.phases.windows.append(window)
        attack = self.fault if isinstance(self.fault, TenantAttack) else None
        try:
            async with applied(self.fault, run.world):
                if attack is not None and attack.rate is not None:
                    self.injected.set()
                    await self._send_beside(run, attack, done)
                    return
                if attack is not None:
                    run.phases.attacks.append(attack)
                self.injected.set()
                await _first(self.release, done)
                if attack is not None:
                    run.phases.attacks.remove(attack)
                    await run.phases.all_back(attack)
        finally:
            closed = FaultWindow(window.start, time.time(), window.label)
            run.phases.windows[run.phases.windows.index(window)] = closed
            run.tally.windows.append(closed)
            self.released.set()

    async def _send_beside(
        self, run: ExperimentRun, attack: TenantAttack, done: asyncio.Event
    ) -> None:
        """An attack with a rate sends its own requests until released; it is over once the
        last of them is back (`send_beside` returns then)."""
        stop = asyncio.Event()

        async def stop_when_released() -> None:
            await _first(self.release, done)
            stop.set()

        async with asyncio.TaskGroup() as group:
            group.create_task(stop_when_released())
            group.create_task(send_beside(attack, run.traffic, run.send, run.keep, stop))

    async def begin(self) -> None:
        self.go.set()
        await _first(self.injected, self.released)

    async def end(self) -> None:
        self.release.set()
        await self.released.wait()


class _Method:
    """The workers, the fault holds and the conductor of one run's method."""

    def __init__(self, run: ExperimentRun) -> None:
        self.run = run
        self.monitor = StopWatch(run.scenario.stop_conditions)
        workload = run.scenario.workload
        self.pacing = Pacing(workload.rate, workload.requests)
        self.holds = [_FaultHold(timed.fault) for timed in run.scenario.faults]
        self.done = asyncio.Event()
        self.aborted: str | None = None

    async def worker(self) -> None:
        run = self.run
        while (wait := self._next_wait()) is not None:
            await asyncio.sleep(wait)
            request = run.traffic.draw([*run.scenario.attacks, *run.phases.attacks])
            attack = run.phases.attack_of(request)
            if attack is not None:
                run.phases.sent(attack)
            try:
                outcome = await run.send(request)
            finally:
                if attack is not None:
                    run.phases.back(attack)
            run.keep(outcome)
            now = time.monotonic() - self.pacing.started
            self.monitor.add([(outcome.observation.latency_ms, outcome.observation.status)], now)
            if (decision := self.monitor.tripped(now)) is not None and self.aborted is None:
                self.aborted = str(decision)
                self.done.set()

    def _next_wait(self) -> float | None:
        if self.run.stop.is_set():
            self.done.set()
        return None if self.done.is_set() else self.pacing.next_wait()

    async def workers(self) -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(self.run.scenario.workload.concurrency):
                group.create_task(self.worker())
        self.done.set()  # a request-count workload ends the method when its count is sent

    def decided(self, phase: Phase, last: bool) -> bool:
        run = self.run
        if run.stop.is_set():
            return True
        return not undecided(run.scenario, run.outcomes, phase, last=last, decided=run.decided)

    async def conduct(self) -> list[tuple[Phase, float]]:
        workload = self.run.scenario.workload
        return await conduct(
            plan_stretches(self.run.scenario.faults, workload.duration, burst=workload.burst),
            begin=lambda index: self.holds[index].begin(),
            end=lambda index: self.holds[index].end(),
            decided=self.decided,
            done=self.done,
            mark=self.run.tally.mark,
        )


async def run_method(run: ExperimentRun) -> str | None:
    """Run the method; returns why it was aborted by a stop condition, if it was."""
    method = _Method(run)
    burst = run.scenario.workload.burst
    run.phases.in_burst = burst
    try:
        async with asyncio.TaskGroup() as group:
            for hold in method.holds:
                group.create_task(hold.hold(run, method.done))
            for attack in run.scenario.attacks:  # those with a rate send across the method
                if attack.rate is not None:
                    sender = send_beside(attack, run.traffic, run.send, run.keep, method.done)
                    group.create_task(sender)
            group.create_task(method.workers())
            run.tally.stretches = await method.conduct()
    finally:
        run.phases.in_burst = False
        run.phases.burst_over = burst
    return method.aborted


async def _first(*events: asyncio.Event) -> None:
    """Wait until any of `events` is set."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
