"""What explore's experiments cover, drawn in hypothesis runs of different lengths.

    python bench/explore_draws.py [--experiments 40] [--seeds 20] [--quick]
                                  [--out bench/results/explore_draws.json]

No system is run: the experiments are drawn as the search draws them (`experiments`, on
seed after seed, EXAMPLES_PER_ROUND at a time) and counted. For each length of a
hypothesis run (one run for the whole search, 20 a run, the search's own), over SEEDS
searches of EXPERIMENTS distinct experiments each: the mean number of attack kinds met in
experiments of tenant abuse alone (where isolation is judged), and in how many searches an
attack acting as another tenant came in volleys of 5 or more for each kind (the shape that
opens a breaker counting consecutive failures), at the least and at the most.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from chaos.faults import FAULT_KINDS, TenantAttack
from scenarios.explore.experiments import experiments
from scenarios.explore.fault_space import FaultSpace, is_attack
from scenarios.explore.search import EXAMPLES_PER_ROUND, round_seed
from scenarios.spec.expectations import StatusVsBaseline
from scenarios.spec.model import Scenario

SPACE = FaultSpace(victims=("acme", "globex"), abusers=("initech",))
VOLLEY = 5
ONE_RUN = 1_000_000  # one hypothesis run for the whole search


class _Enough(BaseException):
    """Ends a hypothesis run once the search has its experiments."""


def drawn(search_seed: int, per_run: int, count: int) -> list[Scenario]:
    """`count` distinct experiments, drawn as a search on `search_seed` draws them."""
    found: dict[str, Scenario] = {}
    run = 0
    while len(found) < count:

        @settings(
            max_examples=per_run,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @seed(round_seed(search_seed, run))
        @given(experiments(SPACE))
        def draw(scenario: Scenario) -> None:
            if len(found) >= count:
                raise _Enough
            found.setdefault(scenario.model_dump_json(), scenario)

        try:
            draw()
        except _Enough:
            pass
        run += 1
    return list(found.values())[:count]


def coverage(scenarios: list[Scenario]) -> tuple[set[str], set[str]]:
    """The attack kinds in experiments of abuse alone, and those sent in volleys."""
    kinds, volleys = set(), set()
    for scenario in scenarios:
        if not any(isinstance(e, StatusVsBaseline) for e in scenario.expectations):
            continue
        for timed in scenario.faults:
            fault = timed.fault
            kinds.add(fault.kind)
            if isinstance(fault, TenantAttack) and fault.rate and fault.burst >= VOLLEY:
                volleys.add(fault.kind)
    return kinds, volleys


def measure(per_run: int, seeds: int, count: int) -> dict:
    kinds_met, volleys = [], {}
    for search_seed in range(1, seeds + 1):
        kinds, in_volleys = coverage(drawn(search_seed, per_run, count))
        kinds_met.append(len(kinds))
        for kind in in_volleys:
            volleys[kind] = volleys.get(kind, 0) + 1
    return {
        "per_run": "one run" if per_run == ONE_RUN else per_run,
        "mean_attack_kinds": round(statistics.mean(kinds_met), 1),
        "searches_with_volleys_of_kind": dict(sorted(volleys.items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiments", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="3 searches of 12: seconds")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    count, seeds = (12, 3) if args.quick else (args.experiments, args.seeds)
    rows = [measure(per_run, seeds, count) for per_run in (ONE_RUN, 20, EXAMPLES_PER_ROUND)]
    attacks = [kind for kind in SPACE.allowed_kinds() if is_attack(kind)]
    # the kinds an abuser sends in volleys: those acting as another tenant
    abusers = [kind for kind in attacks if "as_tenant" in FAULT_KINDS[kind].model_fields]
    for row in rows:
        searches = [row["searches_with_volleys_of_kind"].get(kind, 0) for kind in abusers]
        print(
            f"per run {row['per_run']}: attack kinds met in abuse alone "
            f"{row['mean_attack_kinds']} of {len(attacks)}; each abuser's kind in volleys "
            f"in {min(searches)} to {max(searches)} of {seeds} searches"
        )
    first, last = rows[0]["mean_attack_kinds"], rows[-1]["mean_attack_kinds"]
    print(f"attack kinds met, search's runs / one run: {last / first:.2f}")
    if args.out and not args.quick:
        result = {"experiments": count, "seeds": seeds, "attack_kinds": len(attacks), "rows": rows}
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
