"""When a broken promise is a find: fresh runs, at a level corrected for the search.

A search tries many experiments, and on a noisy machine an honest system may break a
promise once by chance. So an experiment that broke a promise is a *candidate*; it becomes
a find only when fresh runs of it (never the run that found it) show it breaks that
promise more often than noise could:

    H0: this experiment breaks the promise in at most NOISE_RATE of its runs

decided with the suite's confidence sequence on the reproduction rate (`decide_ratio`),
looked at after every fresh run and stopped as soon as decided (valid, because the
sequence holds at every sample size at once).

The level is corrected by alpha spending over the experiments tried: the candidate found by
the i-th experiment is confirmed at alpha_i = ALPHA / (i (i + 1)). The alpha_i sum to ALPHA
however long the search runs, so the chance that a search of an honest system confirms
anything at all stays below ALPHA (family-wise), whatever its budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from slo import Verdict
from slo.decision import decide_ratio

__all__ = ["ALPHA", "MAX_RUNS", "NOISE_RATE", "Reproduction", "fewest_runs", "spent_alpha"]

ALPHA = 0.05  # family-wise: the chance of a false find over the whole search
NOISE_RATE = 0.05  # a promise an honest run breaks at most this often is not a find
MAX_RUNS = 8  # fresh runs at most; undecided after them: reported as flaky


def spent_alpha(experiment_number: int) -> float:
    """The level at which the candidate of the `experiment_number`-th experiment (from 1)
    is confirmed: ALPHA / (i (i + 1)), which sums to ALPHA over every i."""
    if experiment_number < 1:
        raise ValueError("experiments are numbered from 1")
    return ALPHA / (experiment_number * (experiment_number + 1))


def fewest_runs(alpha: float) -> int:
    """Fresh runs a candidate needs at `alpha` if every one of them breaks the promise."""
    reproduction = Reproduction(alpha)
    while not reproduction.settled:
        reproduction.add(True)
    return reproduction.runs


@dataclass
class Reproduction:
    """The fresh runs of one candidate: k of n broke the promise."""

    alpha: float
    broke: int = 0
    runs: int = 0

    def add(self, broke: bool) -> None:
        self.runs += 1
        self.broke += int(broke)

    @property
    def verdict(self) -> Verdict:
        """FAIL: confirmed (it breaks more often than noise); PASS: noise; else undecided."""
        return decide_ratio(self.broke, self.runs, NOISE_RATE, True, 1 - self.alpha).verdict

    @property
    def confirmed(self) -> bool:
        return self.verdict is Verdict.FAIL

    @property
    def settled(self) -> bool:
        """Decided either way, out of runs, or past hope: even if every run left broke the
        promise, it would not be confirmed."""
        if self.verdict.decided or self.runs >= MAX_RUNS:
            return True
        best = decide_ratio(
            self.broke + MAX_RUNS - self.runs, MAX_RUNS, NOISE_RATE, True, 1 - self.alpha
        )
        return best.verdict is not Verdict.FAIL

    @property
    def rate(self) -> str:
        return f"{self.broke} of {self.runs}"
