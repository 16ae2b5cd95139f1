"""The search: hypothesis generates experiments, a broken promise is confirmed on fresh runs,
and hypothesis shrinks the confirmed find to a minimal experiment.

    round ─► hypothesis draws an experiment ─► run it ─► a promise broke?
               │                                          no: next experiment (after
               │                                          EXAMPLES_PER_ROUND: next round)
               │                                          yes: confirm on fresh runs
               │                                               (`confirmation`)
               │                                               not confirmed: next
               ▼                                               confirmed: a find
    hypothesis shrinks it: each smaller experiment that breaks the same promise in its
    run is the new candidate ─► the smallest is confirmed again on fresh runs
    ─► next round, the promises already found left out, until the budget is spent

Each round is a hypothesis run on a seed of its own (`round_seed`). Each fresh run starts
from a system started again (`fresh_start`), where it can be; so does an experiment after
one that left the system unsteady, and one judged on its breakers after one whose calls
failed upstream (a breaker they opened may still be open).

Hypothesis only ever sees a test that raises for a confirmed promise, so noise reaches it
as a shrink step that did not break, never as a flaky test. Its example database is
written on every search and read only by `replay`; otherwise a search starts clean, and
the same seed draws the same experiments. `run` is synchronous (hypothesis calls it from a
worker thread); the experiments themselves run on the caller's event loop.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings
from hypothesis import seed as hypothesis_seed

from scenarios.spec.expectations import BreakerOpensOnUpstream
from scenarios.spec.model import Scenario

from .confirmation import Reproduction, fewest_runs, spent_alpha
from .experiments import experiments
from .fault_space import FaultSpace
from .finds_database import FindsDatabase
from .promises import ISOLATION, STEADY_AFTER, ExperimentVerdict, Judged

__all__ = ["Budget", "Find", "Search", "SearchReport"]

Trial = Callable[[Scenario], ExperimentVerdict]
"""Runs one experiment on the world and judges it (blocking)."""

# Experiments one hypothesis run draws before the next run starts on the next seed. Within
# a run hypothesis draws the later examples from the earlier ones (small ones first, then
# copies and splices of their parts), so a long run circles a few fault kinds: 40 drawn
# experiments on one run held 9.5 of the 15 attack kinds in its experiments of abuse alone,
# on runs of 10 drawn afresh 13.3 (mean over 20 seeds: bench/explore_draws.py)
EXAMPLES_PER_ROUND = 10
# Shrinking one find takes at most this share of the budget (and at least a minute), so a
# long search goes on to other finds rather than polishing its first.
SHRINK_SHARE, MIN_SHRINK_S = 0.2, 60.0
# Fresh runs in a row whose world was not steady before the method: the experiment leaves
# the world unsteady for longer than a restart of the system heals (ports or connections
# the machine still holds), and more of them would spend the budget on judging nothing.
MAX_VOID_IN_ROW = 2


def fault_kinds(scenario: Scenario) -> frozenset[str]:
    return frozenset(timed.fault.kind for timed in scenario.faults)


def round_seed(seed: int, round_number: int) -> int:
    """The seed of a search's round: one per (seed, round), so that the searches of two
    seeds share no round (with `seed + round`, seed 2's third round was seed 4's first)."""
    digest = hashlib.blake2b(f"{seed}/{round_number}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _judges_breakers(scenario: Scenario) -> bool:
    return any(isinstance(e, BreakerOpensOnUpstream) for e in scenario.expectations)


def _callers_per_victim(scenario: Scenario) -> float:
    workload = scenario.workload
    return workload.concurrency / max(len(workload.tenants), 1)


class BudgetSpent(BaseException):
    """Ends a hypothesis run at once: a BaseException, so hypothesis does not catch it as
    a failure of the test (and shrink it)."""


class _TrialCrashed(BaseException):
    """An experiment could not run (a bug, or the system under test gone): carried past
    hypothesis, which would otherwise shrink it as a find, and raised again as it was."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class Budget:
    seconds: float
    clock: Callable[[], float] = time.monotonic  # injectable: tests run on a virtual clock
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def used(self) -> float:
        return self.clock() - self.started

    @property
    def spent(self) -> bool:
        return self.used >= self.seconds

    @property
    def left(self) -> float:
        return self.seconds - self.used


@dataclass
class Find:
    promise: str
    scenario: Scenario  # the smallest experiment confirmed to break it
    reproduction: Reproduction
    detail: str
    found_at: int  # the experiment (numbered from 1) that first broke it
    first: Scenario  # that experiment, as drawn
    confirmed_s: float = 0.0  # the search's time when it was first confirmed
    shrink_steps: int = 0  # smaller experiments that broke it while shrinking
    # what became of the smallest: "confirmed", "not reproduced" (k of n), "not confirmed
    # in time", or "none" (nothing smaller broke it)
    smallest: str = "none"

    @property
    def shrunk(self) -> bool:
        return self.scenario is not self.first


@dataclass
class Candidate:
    """A broken promise that was not confirmed (noise, or flaky): reported, never a find."""

    promise: str
    reproduction: Reproduction
    found_at: int
    scenario: Scenario  # the experiment that broke it, kept so that it can be replayed


@dataclass
class SearchReport:
    seed: int
    budget_s: float
    tried: int = 0
    void: int = 0  # experiments whose world was not steady before the method
    undecided: int = 0
    finds: list[Find] = field(default_factory=list)
    unconfirmed: list[Candidate] = field(default_factory=list)
    used_s: float = 0.0
    ended_by: str = "budget"  # budget | interrupted | replayed | enough finds
    restarts: int = 0  # of the system under test, one before each fresh run
    # drawn, not run: as many callers per victim as a void experiment whose own calls the
    # system refused for want of a slot
    over_capacity: int = 0


class _BrokenPromise(Exception):
    """Raised to hypothesis for a confirmed promise; a class per promise, so that
    hypothesis shrinks each as a failure of its own."""


_ERRORS: dict[str, type[_BrokenPromise]] = {}


def _broken(promise: str) -> _BrokenPromise:
    cls = _ERRORS.setdefault(promise, type(f"Broken[{promise}]", (_BrokenPromise,), {}))
    return cls(promise)


class Search:
    def __init__(
        self,
        trial: Trial,
        space: FaultSpace,
        *,
        seed: int,
        budget: Budget,
        examples_dir: Path,
        enough_finds: int | None = None,
        fresh_start: Callable[[], None] | None = None,
    ) -> None:
        self.trial = trial
        # starts the system under test again before each fresh run of a candidate, so that
        # what earlier experiments left in it confirms nothing (None: it cannot be restarted)
        self.fresh_start = fresh_start
        self.space = space
        self.seed = seed
        self.budget = budget
        self.database = FindsDatabase(examples_dir)
        self.report = SearchReport(seed, budget.seconds)
        self.enough_finds = enough_finds  # stop once this many are confirmed and shrunk
        self.stopped = False  # Ctrl-C: end as soon as the running experiment ends
        self._shrinking: Find | None = None
        # Hypothesis may draw one experiment from several choice sequences: within a round
        # it is run once, and answered the same again (the promise it broke, or None)
        self._answered: dict[str, str | None] = {}
        self._trial_s, self._trials = 0.0, 0  # how long experiments take, for the shrink stop
        # a promise and the fault kinds of a candidate not confirmed: hypothesis draws its
        # neighbours again and again, and each would spend fresh runs on the same question
        self._not_confirmed: set[tuple[str, frozenset[str]]] = set()
        self._left_unsteady = False  # the last experiment broke `steady state after rollback`
        # a call of the last experiment failed upstream or met an open breaker
        self._breaker_may_be_open = False
        # the fewest callers per victim that overran the system's slots before a method
        self._callers_ceiling = math.inf

    def run(self, *, replay: bool = False) -> SearchReport:
        """Search until the budget is spent (or replay the saved finds once)."""
        rounds = 0
        while not self._out_of_time():
            self._round(round_seed(self.seed, rounds), replay=replay)
            rounds += 1
            if replay:
                self.report.ended_by = "replayed"
                break
            if self.enough_finds is not None and len(self.report.finds) >= self.enough_finds:
                self.report.ended_by = "enough finds"
                break
        if self.stopped:
            self.report.ended_by = "interrupted"
        self.report.used_s = self.budget.used
        return self.report

    def _out_of_time(self) -> bool:
        return self.stopped or self.budget.spent

    def _time_to_confirm(self) -> bool:
        """Whether shrinking must stop now, so that the smallest experiment can still be
        confirmed on fresh runs (as many as it needs, at the mean experiment's length)."""
        mean_s = self._trial_s / max(self._trials, 1)
        runs = fewest_runs(spent_alpha(self.report.tried + 1)) + 1  # one more: for the shrink step
        return self.budget.left < runs * mean_s

    def _shrinking_done(self) -> bool:
        assert self._shrinking is not None
        shrinking_s = self.budget.used - self._shrinking.confirmed_s
        limit_s = max(MIN_SHRINK_S, SHRINK_SHARE * self.budget.seconds)
        return shrinking_s >= limit_s or self._time_to_confirm()

    def _timed_trial(self, scenario: Scenario, *, fresh: bool = False) -> ExperimentVerdict:
        started = self.budget.used
        try:
            if fresh and self.fresh_start is not None:
                self.fresh_start()
                self.report.restarts += 1
            elif self.fresh_start is not None and (
                self._left_unsteady or (self._breaker_may_be_open and _judges_breakers(scenario))
            ):
                # the last experiment left the system unsteady (a breaker that stays open):
                # on it this one would judge nothing (the shrink of that very find would stall
                # on experiments void one after another); or it may have left a breaker
                # open that would refuse a call of this one before any failure of its own,
                # a false break of `breakers open on upstream failures only` (a tenant's own
                # breaker, opened by its statements cut as the last experiment ended)
                self.fresh_start()
                self.report.restarts += 1
            verdict = self.trial(scenario)
            self._left_unsteady = STEADY_AFTER in verdict.broken
            self._breaker_may_be_open = verdict.breaker_may_be_open
            if verdict.slots_overrun and not fresh and _callers_per_victim(scenario) > 1:
                self._callers_ceiling = min(self._callers_ceiling, _callers_per_victim(scenario))
        except Exception as exc:
            raise _TrialCrashed(exc) from exc
        self._trial_s += self.budget.used - started
        self._trials += 1
        return verdict

    def _round(self, seed: int, *, replay: bool) -> None:
        """One hypothesis run: generate a few experiments or until a find, shrink it,
        confirm the smallest."""
        self._answered.clear()
        phases = (Phase.reuse, Phase.shrink) if replay else (Phase.generate, Phase.shrink)
        search_settings = settings(
            database=self.database,
            phases=phases,
            max_examples=EXAMPLES_PER_ROUND,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
            verbosity=Verbosity.quiet,  # the finds are reported by the search, not printed
        )

        # The settings go outside the seed: `seed` alone turns the example database off,
        # and the database must still record the finds for a later --replay.
        @search_settings
        @hypothesis_seed(seed)
        @given(experiments(self.space))
        def experiment(scenario: Scenario) -> None:
            self._experiment(scenario)

        try:
            experiment()
        except BudgetSpent:
            pass
        except _TrialCrashed as crash:
            raise crash.error from None
        except Exception:  # noqa: BLE001 - the find (or a flaky replay) is recorded already
            pass
        shrunk, self._shrinking = self._shrinking, None
        if shrunk is not None:
            self._confirm_smallest(shrunk)

    def _experiment(self, scenario: Scenario) -> None:
        """The test hypothesis runs: raises for a promise confirmed broken (always from this
        one line: hypothesis tells failures apart by where they are raised)."""
        self.database.saving_finds = False  # only a raise for a broken promise is kept
        if self._out_of_time() or (self._shrinking and self._shrinking_done()):
            raise BudgetSpent
        if _callers_per_victim(scenario) >= self._callers_ceiling:
            # its steady state would be refused as that void one's was: it would judge
            # nothing, after the 10 s its steady state is given to settle
            self.report.over_capacity += 1
            reject()
        key = scenario.model_dump_json()
        if key not in self._answered:
            verdict = self._timed_trial(scenario)
            number = self._tried(verdict)
            broken = verdict.judged is Judged.BROKEN
            self._answered[key] = self._confirmed(scenario, verdict, number) if broken else None
        if (promise := self._answered[key]) is not None:
            if self._shrinking is not None and promise == self._shrinking.promise:
                self._shrinking.scenario = scenario  # hypothesis only tries smaller ones
            self.database.saving_finds = True
            raise _broken(promise)

    def _confirmed(self, scenario: Scenario, verdict: ExperimentVerdict, number: int) -> str | None:
        """The promise `scenario` is taken to break, or None."""
        if self._shrinking is not None:  # a smaller experiment: one run decides the step
            if self._shrinking.promise not in verdict.broken:
                return None
            if self._shrinking.promise == ISOLATION and not (
                fault_kinds(scenario) <= fault_kinds(self._shrinking.first)
            ):
                return None  # another attack breaking isolation: another find, not this one
            self._shrinking.shrink_steps += 1
            return self._shrinking.promise
        new = [promise for promise in verdict.broken if not self._found(promise, scenario)]
        if not new:
            return None
        promise = new[0]
        asked = (promise, fault_kinds(scenario))
        if asked in self._not_confirmed:
            return None
        reproduction = self.reproduce(scenario, promise, spent_alpha(number))
        if not reproduction.confirmed:
            self.report.unconfirmed.append(Candidate(promise, reproduction, number, scenario))
            self._not_confirmed.add(asked)
            return None
        detail = verdict.details[verdict.broken.index(promise)]
        self._shrinking = Find(
            promise, scenario, reproduction, detail, number, scenario, self.budget.used
        )
        self.report.finds.append(self._shrinking)
        return promise

    def _found(self, promise: str, scenario: Scenario) -> bool:
        """Whether a find already covers this break: the same promise, and for tenant
        isolation an experiment sharing an attack kind with it. Isolation broken by other
        attacks alone is another abuse the system does not withstand: a find of its own."""
        kinds = fault_kinds(scenario)
        return any(
            f.promise == promise and (promise != ISOLATION or fault_kinds(f.first) & kinds)
            for f in self.report.finds
        )

    def _tried(self, verdict: ExperimentVerdict) -> int:
        self.report.tried += 1
        self.report.void += verdict.judged is Judged.VOID
        self.report.undecided += verdict.judged is Judged.UNDECIDED
        return self.report.tried

    def reproduce(self, scenario: Scenario, promise: str, alpha: float) -> Reproduction:
        """Fresh runs of `scenario` until it is settled whether it breaks `promise`."""
        reproduction, void_in_row = Reproduction(alpha), 0
        while not reproduction.settled and not self._out_of_time():
            verdict = self._timed_trial(scenario, fresh=True)
            if verdict.judged is Judged.VOID:  # nothing judged: not a run of the experiment
                void_in_row += 1
                if void_in_row >= MAX_VOID_IN_ROW:
                    break
                continue
            void_in_row = 0
            reproduction.add(promise in verdict.broken)
        return reproduction

    def _confirm_smallest(self, find: Find) -> None:
        """The shrunk experiment is a new one: confirmed on its own fresh runs, or the find
        stays the experiment first confirmed."""
        if not find.shrunk:
            return
        self.report.tried += 1
        reproduction = self.reproduce(find.scenario, find.promise, spent_alpha(self.report.tried))
        if reproduction.confirmed:
            find.reproduction, find.smallest = reproduction, "confirmed"
            return
        find.smallest = (
            f"not reproduced ({reproduction.rate} fresh runs)"
            if reproduction.settled
            else "not confirmed in time"
        )
        find.scenario = find.first
