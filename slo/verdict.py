"""Verdicts: one judgement's, and the gate's overall one.

Every judgement (an objective, a scenario expectation, a check) ends in a `Verdict`:

pass          decided, and the bound held
fail          decided, and the bound was breached
inconclusive  not decided: too little evidence either way (never reads as pass)

A `Judgement` is a verdict with the detail a reader needs to trust it. `decision` is where a
ratio or a percentile is weighed against its bound; rules ("no leaked row") say pass or fail
themselves.

The gate's overall verdict (`overall_verdict`) adds `warn` and applies the SLO file's
policies; its exit code is 0 unless something failed, 1 if it did:

fail          an objective or check breached, or undecided under `on_inconclusive: fail`
inconclusive  nothing breached, but something is not decided
warn          nothing breached or undecided, a regression under `on_regression: warn`
pass          every objective and check decided and held

An objective that judges a phase the run never had is "no data": left out of the verdict.
A run with nothing judged at all is inconclusive, never a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # results carries verdicts, so it imports this module
    from .results import Check, Evaluation

PASS_EXIT, FAIL_EXIT = 0, 1  # the same numbers as scenarios/exit_codes.py; slo may not import it


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"

    @classmethod
    def of(cls, held: bool) -> Verdict:
        """A rule's verdict: it held or it did not."""
        return cls.PASS if held else cls.FAIL

    @classmethod
    def worst(cls, verdicts: Iterable[Verdict]) -> Verdict:
        """All of several verdicts at once: a fail breaks it, an undecided part leaves it
        undecided; pass when there is nothing to judge."""
        found = set(verdicts)
        for verdict in (cls.FAIL, cls.INCONCLUSIVE):
            if verdict in found:
                return verdict
        return cls.PASS

    @property
    def decided(self) -> bool:
        return self is not Verdict.INCONCLUSIVE


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    detail: str = ""


def overall_verdict(evaluation: Evaluation, checks: Sequence[Check] = ()) -> str:
    """pass | warn | inconclusive | fail, under the SLO file's policies."""
    outcomes = [evaluation.gate_outcome(result) for result in evaluation.results]
    outcomes += [evaluation.check_outcome(check) for check in checks]
    outcomes.append(evaluation.healthy_outcome())
    verdicts = [r.verdict for r in evaluation.results] + [c.verdict for c in checks]
    if "fail" in outcomes:
        return "fail"
    if Verdict.INCONCLUSIVE in verdicts or not verdicts:  # nothing judged is not a pass
        return "inconclusive"
    return "warn" if "warn" in outcomes else "pass"


def verdict_exit_code(evaluation: Evaluation, checks: Sequence[Check] = ()) -> int:
    return FAIL_EXIT if overall_verdict(evaluation, checks) == "fail" else PASS_EXIT
