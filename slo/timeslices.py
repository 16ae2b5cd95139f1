"""OpenSLO's time-slice budgeting, judged the way the specification defines it.

The run is cut into non-overlapping slices of `slice_s` from its first observation; a slice
without any counted event has no ratio and is left out, and the run's last slice, however
short, counts like the others (the run is the whole budgeting period the gate sees).

- `timeslices`: a slice is good when its ratio meets the objective's bound (OpenSLO's
  `timeSliceTarget`); the objective holds when the share of good slices reaches
  `good_slices` (OpenSLO's `target`).
- `ratio_timeslices`: the mean of the slices' ratios must meet the bound (`target`).

Both budgets are defined on the slices as observed, so the verdict is the observed one:
no interval; `min_samples` still keeps a short run from passing.
"""

from __future__ import annotations

from .accumulators import RatioGroup
from .decision import TOO_FEW, against_bound, decide
from .formatting import show_percent
from .results import ObjectiveResult
from .spec import Objective, SloSpec
from .verdict import Verdict


def judge_slices(
    result: ObjectiveResult, objective: Objective, state: RatioGroup, spec: SloSpec
) -> None:
    """Overwrite the whole-run verdict of `result` with the time-slice one."""
    assert objective.slice_s is not None
    # in slice order: the engine's group-by order varies, and a float sum's last digit
    # with it
    slices = sorted((state.slices or {}).items())
    ratios = [hits / total for _, (hits, total) in slices if total]
    result.lower = result.upper = result.more_samples = None
    if not ratios:
        result.verdict, result.observed = Verdict.INCONCLUSIVE, None
        result.detail = "no time slice holds an event"
        return
    if objective.budgeting == "timeslices":
        observed, bound, at_most = _good_slices(result, objective, ratios)
    else:
        observed, bound, at_most = _mean_of_slices(result, objective, ratios)
    # observed, not estimated: the interval is the one point
    decision = decide(
        (observed, observed),
        bound,
        at_most=at_most,
        samples=result.samples,
        min_samples=spec.min_samples,
    )
    result.verdict = decision.verdict
    if decision.too_few:
        result.detail += "; " + TOO_FEW.format(spec.min_samples)


def _good_slices(
    result: ObjectiveResult, objective: Objective, ratios: list[float]
) -> tuple[float, float, bool]:
    """Budgeted by time slices: the share of good slices, against `good_slices` (at least)."""
    assert objective.good_slices is not None
    good = sum(1 for r in ratios if _meets(objective, r))
    share = good / len(ratios)
    result.observed, result.threshold = share, objective.good_slices
    result.target = (
        f">= {show_percent(objective.good_slices)} of {objective.slice_s:g} s slices with "
        f"{'<=' if objective.at_most else '>='} {show_percent(objective.target)}"
    )
    result.detail = f"{good}/{len(ratios)} slices of {objective.slice_s:g} s good"
    return share, objective.good_slices, False


def _mean_of_slices(
    result: ObjectiveResult, objective: Objective, ratios: list[float]
) -> tuple[float, float, bool]:
    """Budgeted by occurrences: the mean of the slices' ratios, against the target."""
    mean = sum(ratios) / len(ratios)
    result.observed = mean
    result.target = f"mean of {objective.slice_s:g} s slices {result.target}"
    result.detail = f"mean ratio {mean:.4%} over {len(ratios)} slices of {objective.slice_s:g} s"
    return mean, objective.target, objective.at_most


def _meets(objective: Objective, ratio: float) -> bool:
    point = (ratio, ratio)
    return against_bound(point, objective.target, at_most=objective.at_most) is Verdict.PASS
