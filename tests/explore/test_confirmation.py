"""Confirmation of a find: fresh runs, decided by a confidence sequence, at a level spent
across the experiments tried."""

from __future__ import annotations

import math

from scenarios.explore.confirmation import ALPHA, MAX_RUNS, Reproduction, spent_alpha


def test_the_levels_spent_sum_to_at_most_the_family_wise_alpha() -> None:
    spent = math.fsum(spent_alpha(i) for i in range(1, 100_000))
    assert spent <= ALPHA
    assert spent > 0.999 * ALPHA  # nothing wasted either


def test_a_defect_that_always_reproduces_is_confirmed_even_late_in_a_long_search() -> None:
    reproduction = Reproduction(spent_alpha(200))
    while not reproduction.settled:
        reproduction.add(True)
    assert reproduction.confirmed
    assert reproduction.runs <= MAX_RUNS


def test_a_promise_broken_once_by_chance_is_never_confirmed() -> None:
    reproduction = Reproduction(spent_alpha(1))
    while not reproduction.settled:
        reproduction.add(False)
    assert not reproduction.confirmed
    assert reproduction.rate.startswith("0 of")


def test_a_rarely_reproducing_experiment_is_not_confirmed() -> None:
    reproduction = Reproduction(spent_alpha(5))
    pattern = iter([True, False, False, True, False, False, False, False])
    while not reproduction.settled:
        reproduction.add(next(pattern))
    assert not reproduction.confirmed
