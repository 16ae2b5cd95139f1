"""The search on its own, against a stand-in for a judged system and on a virtual clock:
it finds, confirms and shrinks a defect, finds nothing in an honest system's noise, draws
the same experiments from the same seed, and reads its example database only to replay."""

from __future__ import annotations

import random
from pathlib import Path

from chaos.seed import SeedOptions
from scenarios.explore import FaultSpace
from scenarios.explore.promises import ISOLATION, STEADY_AFTER, ExperimentVerdict, Judged
from scenarios.explore.search import Budget, Search
from scenarios.spec.model import Scenario

TENANTS = SeedOptions().tenant_ids
SPACE = FaultSpace(victims=TENANTS[:2], abusers=TENANTS[2:])
EXPERIMENT_S = 5.0  # virtual seconds each experiment takes


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class StandIn:
    """A judged system: `breaks(scenario)` says whether a run breaks `honest status`."""

    def __init__(self, clock: VirtualClock, breaks, promise: str = "honest status") -> None:  # noqa: ANN001
        self.clock, self.breaks, self.promise = clock, breaks, promise
        self.tried: list[Scenario] = []

    def __call__(self, scenario: Scenario) -> ExperimentVerdict:
        self.clock.now += EXPERIMENT_S
        self.tried.append(scenario)
        if self.breaks(scenario):
            return ExperimentVerdict(Judged.BROKEN, (self.promise,), ("1 of 9 answers",))
        return ExperimentVerdict(Judged.HELD)


def metrics_fault(scenario: Scenario) -> bool:
    """The defect: any fault that reaches the metrics upstream gets a dishonest status."""
    return any(
        getattr(t.fault, "upstream", None) == "metrics" and getattr(t.fault, "toxicity", 1) > 0
        for t in scenario.faults
    )


def search(  # noqa: ANN201
    tmp_path: Path,
    breaks,  # noqa: ANN001
    *,
    seed: int = 5,
    budget_s: float = 1500,
    enough_finds: int | None = None,
    promise: str = "honest status",
    **kw,  # noqa: ANN003
):
    clock = VirtualClock()
    system = StandIn(clock, breaks, promise)
    found = Search(
        system,
        SPACE,
        seed=seed,
        budget=Budget(budget_s, clock=clock),
        examples_dir=tmp_path / "examples",
        enough_finds=enough_finds,
    )
    return found.run(**kw), system


def test_a_defect_is_found_confirmed_and_shrunk_to_its_cause(tmp_path: Path) -> None:
    report, _ = search(tmp_path, metrics_fault, budget_s=100_000, enough_finds=1)
    assert [find.promise for find in report.finds] == ["honest status"]
    find = report.finds[0]
    assert find.reproduction.confirmed and find.shrunk and find.smallest == "confirmed"
    (cause,) = [timed.fault for timed in find.scenario.faults]  # one fault is enough
    assert cause.upstream == "metrics"
    assert getattr(cause, "toxicity", 0.05) == 0.05  # the mildest that still lands
    workload = find.scenario.workload
    assert workload.concurrency == 1 and len(workload.tenants) == 1


def test_enough_finds_end_the_search_once_shrunk_and_confirmed(tmp_path: Path) -> None:
    report, _ = search(tmp_path, metrics_fault, budget_s=100_000, enough_finds=1)
    assert report.ended_by == "enough finds" and report.used_s < 100_000
    (find,) = report.finds
    assert find.shrunk and find.smallest == "confirmed"
    # the time of the find is when it was first confirmed, before shrinking
    assert 0 < find.confirmed_s < report.used_s


def test_shrinking_one_find_takes_at_most_its_share_of_the_budget(tmp_path: Path) -> None:
    from scenarios.explore.search import MIN_SHRINK_S

    def any_fault(scenario: Scenario) -> bool:  # every smaller experiment still breaks it
        return bool(scenario.faults)

    whole, _ = search(tmp_path / "long", any_fault, budget_s=100_000, enough_finds=1)
    # a short budget leaves shrinking its minute, well before the smallest would be reached
    short, _ = search(tmp_path / "short", any_fault, budget_s=150, enough_finds=1)
    (long_find,), (short_find,) = whole.finds, short.finds
    assert long_find.found_at == short_find.found_at  # the same find, the same seed
    assert short_find.shrink_steps < long_find.shrink_steps
    assert short.used_s - short_find.confirmed_s < MIN_SHRINK_S + 10 * EXPERIMENT_S


def test_two_attacks_breaking_isolation_are_two_finds(tmp_path: Path) -> None:
    def two_defects(scenario: Scenario) -> bool:  # either attack alone breaks it
        kinds = {"audit_id_squat", "expensive_query_flood"}
        return any(t.fault.kind in kinds for t in scenario.faults)

    report, _ = search(tmp_path, two_defects, budget_s=100_000, enough_finds=2, promise=ISOLATION)
    first, second = report.finds
    assert first.promise == second.promise == ISOLATION
    kinds = [{t.fault.kind for t in find.first.faults} for find in (first, second)]
    assert not kinds[0] & kinds[1]  # the second was broken by other kinds alone
    for find in (first, second):  # shrinking kept to the kinds of its own find
        assert {t.fault.kind for t in find.scenario.faults} <= {
            t.fault.kind for t in find.first.faults
        }


def test_an_honest_systems_noise_is_never_a_find(tmp_path: Path) -> None:
    noise = random.Random(11)
    report, system = search(tmp_path, lambda _: noise.random() < 0.05)
    assert report.finds == []
    assert report.tried == len(system.tried) or report.tried > 100


def test_the_budget_ends_the_search_on_time(tmp_path: Path) -> None:
    report, system = search(tmp_path, lambda _: False, budget_s=100)
    assert report.ended_by == "budget"
    assert len(system.tried) == 100 / EXPERIMENT_S
    assert report.used_s <= 100 + EXPERIMENT_S


def test_the_same_seed_draws_the_same_experiments(tmp_path: Path) -> None:
    _, first = search(tmp_path / "a", lambda _: False, budget_s=200)
    _, again = search(tmp_path / "b", lambda _: False, budget_s=200)
    _, other = search(tmp_path / "c", lambda _: False, budget_s=200, seed=6)
    assert first.tried == again.tried
    assert first.tried != other.tried


def test_the_example_database_is_read_only_to_replay(tmp_path: Path) -> None:
    report, _ = search(tmp_path, metrics_fault, budget_s=100_000, enough_finds=1)
    shrunk = report.finds[0].scenario
    _, clean = search(tmp_path, lambda _: False, budget_s=50)  # saves nothing of its own
    assert clean.tried[0] != shrunk  # a search starts clean, whatever the folder holds
    replayed, system = search(tmp_path, metrics_fault, budget_s=500, replay=True)
    assert system.tried[0] == shrunk
    assert replayed.ended_by == "replayed" and replayed.finds[0].promise == "honest status"


def test_an_experiment_that_cannot_run_stops_the_search_as_it_is(tmp_path: Path) -> None:
    def broken_harness(scenario: Scenario) -> bool:
        raise RuntimeError("the system under test is gone")

    try:
        search(tmp_path, broken_harness, budget_s=100)
    except RuntimeError as exc:  # never shrunk as a find, never swallowed
        assert "gone" in str(exc)
    else:
        raise AssertionError("the crash was swallowed")


def test_each_fresh_run_starts_from_a_system_started_again(tmp_path: Path) -> None:
    """The search's own experiments run on the system as it is; every fresh run of a
    candidate (its confirmation, and the smallest's) follows a restart, and only those."""
    clock = VirtualClock()
    system = StandIn(clock, metrics_fault)
    starts: list[int] = []  # how many experiments had run at each restart
    found = Search(
        system,
        SPACE,
        seed=5,
        budget=Budget(100_000, clock=clock),
        examples_dir=tmp_path / "examples",
        enough_finds=1,
        fresh_start=lambda: starts.append(len(system.tried)),
    )
    report = found.run()
    (find,) = report.finds
    assert report.restarts == len(starts) >= find.reproduction.runs
    # the experiment that broke the promise ran without one, its fresh runs each after one
    first = system.tried.index(find.first)
    assert first not in starts and starts[0] == first + 1


def test_a_system_left_unsteady_is_started_again_and_the_find_still_shrinks(
    tmp_path: Path,
) -> None:
    """A defect that breaks the system for good once met (a breaker that never closes):
    every later experiment on it is void until it is started again. After an experiment
    that left it unsteady the system is started again, so the find is shrunk all the same,
    and no experiment is void."""
    clock, stuck = VirtualClock(), [False]
    system = StandIn(clock, metrics_fault, STEADY_AFTER)

    def trial(scenario: Scenario) -> ExperimentVerdict:
        if stuck[0]:
            clock.now += EXPERIMENT_S
            return ExperimentVerdict(Judged.VOID)
        verdict = system(scenario)
        stuck[0] = verdict.judged is Judged.BROKEN
        return verdict

    report = Search(
        trial,
        SPACE,
        seed=5,
        budget=Budget(100_000, clock=clock),
        examples_dir=tmp_path / "examples",
        enough_finds=1,
        fresh_start=lambda: stuck.__setitem__(0, False),
    ).run()
    (find,) = report.finds
    assert find.shrunk and find.smallest == "confirmed"
    assert len(find.scenario.faults) == 1
    assert report.void == 0


def test_a_candidate_whose_fresh_runs_judge_nothing_is_given_up_and_not_asked_again(
    tmp_path: Path,
) -> None:
    """Fresh runs whose world is never steady (void) end after a few in a row; and a
    promise with the same fault kinds, once not confirmed, spends no more fresh runs."""
    from scenarios.explore.search import MAX_VOID_IN_ROW

    clock, restarted, broke = VirtualClock(), [], []

    def trial(scenario: Scenario) -> ExperimentVerdict:
        clock.now += EXPERIMENT_S
        if restarted:
            restarted.pop()
            return ExperimentVerdict(Judged.VOID)
        if metrics_fault(scenario):
            broke.append(frozenset(t.fault.kind for t in scenario.faults))
            return ExperimentVerdict(Judged.BROKEN, ("honest status",), ("1 of 9",))
        return ExperimentVerdict(Judged.HELD)

    report = Search(
        trial,
        SPACE,
        seed=5,
        budget=Budget(3000, clock=clock),
        examples_dir=tmp_path / "examples",
        fresh_start=lambda: restarted.append(True),
    ).run()
    assert report.finds == [] and report.unconfirmed
    # each candidate's fresh runs end after MAX_VOID_IN_ROW void ones (the last's may be
    # cut short by the end of the budget)
    asked = MAX_VOID_IN_ROW * len(report.unconfirmed)
    assert asked - MAX_VOID_IN_ROW <= report.restarts <= asked
    assert len(report.unconfirmed) == len(set(broke)) < len(broke)


def test_an_unconfirmed_candidate_is_kept_as_a_scenario_file_that_replays_it(
    tmp_path: Path,
) -> None:
    """Not a find, but the one record of the experiment that broke a promise."""
    from scenarios.explore import find_file, summary
    from scenarios.spec.loader import load_scenario

    def verdict(scenario: Scenario, number: int) -> ExperimentVerdict:
        if number == 2:  # broken once, never again: a candidate not confirmed
            return ExperimentVerdict(Judged.BROKEN, ("honest status",), ("1 of 9",))
        return ExperimentVerdict(Judged.HELD)

    report, tried = recorded_search(tmp_path, verdict, experiments=20)
    [candidate] = report.unconfirmed
    assert candidate.scenario == tried[1] and not candidate.reproduction.confirmed
    how = summary.how_unconfirmed(candidate, report, "the reference")
    path = find_file.write_unconfirmed(tmp_path, candidate, index=1, how=how)
    assert path == tmp_path / "unconfirmed" / "unconfirmed-1-honest-status.yaml"
    assert path.read_text().startswith("# Not a find: `gauntlet explore` (seed ")
    replayed = load_scenario(path)
    assert replayed.faults == candidate.scenario.faults
    assert replayed.workload == candidate.scenario.workload


def recorded_search(  # noqa: ANN201
    tmp_path: Path,
    verdict,  # noqa: ANN001 - (scenario, its number from 1) -> ExperimentVerdict
    *,
    experiments: int,
    on_restart=None,  # noqa: ANN001 - called with the experiments tried so far
):
    """The search on a virtual clock for `experiments` experiments, its trial answering
    `verdict`; the report and the experiments tried."""
    clock, tried = VirtualClock(), []

    def trial(scenario: Scenario) -> ExperimentVerdict:
        clock.now += EXPERIMENT_S
        tried.append(scenario)
        return verdict(scenario, len(tried))

    report = Search(
        trial,
        SPACE,
        seed=5,
        budget=Budget(EXPERIMENT_S * experiments, clock=clock),
        examples_dir=tmp_path / "examples",
        fresh_start=None if on_restart is None else lambda: on_restart(tried),
    ).run()
    return report, tried


def test_a_breaker_left_open_is_closed_by_a_restart_before_an_experiment_judging_breakers(
    tmp_path: Path,
) -> None:
    """A call that failed upstream may leave a breaker open into the next experiment (its
    tenant refused there for what this one did): before an experiment judged on the
    breakers' honesty the system is started again, and only then."""
    from scenarios.explore.search import _judges_breakers

    starts: list[int] = []
    report, tried = recorded_search(
        tmp_path,
        lambda _, n: ExperimentVerdict(Judged.HELD, breaker_may_be_open=n % 3 == 0),
        experiments=40,
        on_restart=lambda tried: starts.append(len(tried)),
    )
    # the experiment after the n-th (numbered from 0) is tried[n]
    expected = [n for n in range(3, len(tried), 3) if _judges_breakers(tried[n])]
    assert expected and starts == expected and report.restarts == len(expected)


def test_a_workload_beyond_the_systems_slots_is_not_drawn_again(tmp_path: Path) -> None:
    """A system that takes 4 callers per victim refuses a workload with more before its
    method (void, `concurrency_limit`): after the first such void, experiments with as
    many callers per victim are drawn but not run, and those with fewer still are."""

    def per_victim(scenario: Scenario) -> float:
        return scenario.workload.concurrency / len(scenario.workload.tenants)

    def verdict(scenario: Scenario, _: int) -> ExperimentVerdict:
        if per_victim(scenario) > 4:
            return ExperimentVerdict(Judged.VOID, slots_overrun=True)
        return ExperimentVerdict(Judged.HELD)

    report, tried = recorded_search(tmp_path, verdict, experiments=60)
    first = next(i for i, scenario in enumerate(tried) if per_victim(scenario) > 4)
    ceiling = per_victim(tried[first])
    assert all(per_victim(scenario) < ceiling for scenario in tried[first + 1 :])
    assert report.void < 10 and report.over_capacity > 0
    assert len(tried) == 60  # the budget is spent on experiments that run


def test_two_seeds_share_no_experiment_in_any_round(tmp_path: Path) -> None:
    """Rounds of a few experiments each: the rounds of one seed are never another's."""
    _, five = search(tmp_path / "a", lambda _: False, budget_s=EXPERIMENT_S * 40)
    _, six = search(tmp_path / "b", lambda _: False, budget_s=EXPERIMENT_S * 40, seed=6)
    drawn = {scenario.model_dump_json() for scenario in five.tried}
    assert not drawn & {scenario.model_dump_json() for scenario in six.tried}


def test_a_broken_world_may_leave_a_breaker_open_though_no_answer_shows_a_failure() -> None:
    """Its failures a retry covered were counted by a breaker all the same: the next
    experiment judged on breakers starts on a restarted system."""
    from scenarios.explore.session import _broke_the_world

    def experiment(*faults: dict) -> Scenario:
        timed = [{"fault": fault, "start": "1s", "duration": "1s"} for fault in faults]
        workload = {
            "intents": [{"intent": "service_overview", "parameters": {"service": "checkout"}}],
            "tenants": ["acme"],
            "duration": "3s",
            "rate": "5/s",
        }
        return Scenario.model_validate({"name": "x", "workload": workload, "faults": timed})

    attack = {"kind": "tiny_deadline", "as_tenant": "initech", "rate": "5/s"}
    assert not _broke_the_world(experiment(attack))
    limit_data = {"kind": "limit_data", "upstream": "ops", "bytes": 1000}
    assert _broke_the_world(experiment(attack, limit_data))
    assert _broke_the_world(experiment({"kind": "exhaust_connections"}))
