"""Did the healthy phase get worse than the baseline report's? Latency (p50, p95) pooled over
every (scenario, intent) both runs share, and status mix per intent pooled over scenarios.

Two runs of the same build differ by more than sampling noise: the machine is not the same
machine twice (a neighbour's load, caches, frequency), and that moves every request of a run
together. A test on individual requests alone (Mann-Whitney, a two-proportion test) sees
that common drift as a significant shift and flags it. So each measure needs both:

- a shift beyond the run-to-run spread: the median over (scenario, intent) cells of each
  cell's ratio now / before of the quantile (one slow scenario does not move it, a
  whole-build slowdown does) must reach `1 + LATENCY_MARGIN`. Each scenario's healthy phase
  lasts seconds, and a busy machine moves one scenario's latency by much more than its
  sampling noise: the cells are pooled across intents, as many as the run has, because the
  median of more cells drifts less from run to run;
- beyond sampling noise: pooled over those scenarios, the share of this run's requests slower
  than the baseline's quantile is significantly larger than the baseline's own `1 - q` (a
  one-sided two-proportion test at the SLO file's confidence).

Status mix: the share of healthy requests not `success`, pooled over the scenarios, must be
significantly larger and larger by at least `STATUS_MARGIN`.

The margins come from measurement (`bench/baseline_power.py`): real core-suite runs of one
build, quiet and beside a CPU-bound neighbour, compared pairwise, and the same pairs with
this run's healthy latencies made 30 % slower.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from .healthy import HealthyCell, cells_by_key
from .stats import two_proportion_worse

LATENCY_MARGIN = 0.20  # a pooled quantile 20 % slower than the baseline's, at least
STATUS_MARGIN = 0.02  # 2 percentage points more requests not `success`, at least
MIN_CELL_REQUESTS = 8  # a scenario's quantiles from fewer healthy requests are left out
QUANTILES = {"p50": 0.5, "p95": 0.95}
ALL_INTENTS = "all intents"


@dataclass(frozen=True)
class CellShift:
    """One cell's shift of one measure: a report line when the measure regressed."""

    scenario: str
    intent: str
    measure: str  # p50 | p95 | not success
    before: float
    now: float

    @property
    def line(self) -> str:
        if self.measure == "not success":
            change = f"{100 * (self.now - self.before):+.0f} pp"
            return (
                f"{self.scenario} · {self.intent} · not success "
                f"{self.before:.0%} → {self.now:.0%} ({change})"
            )
        shift = _percent(self.now / self.before) if self.before > 0 else "new"
        return (
            f"{self.scenario} · {self.intent} · {self.measure} "
            f"{self.before:.1f} → {self.now:.1f} ms ({shift})"
        )


@dataclass(frozen=True)
class MeasureVerdict:
    """One measure (p50, p95 or not success), pooled over its cells."""

    intent: str  # or ALL_INTENTS
    measure: str
    scenarios: int  # compared
    shift: float | None  # p50/p95: pooled ratio now / before; status: share now - before
    p_value: float
    regressed: bool
    cells: tuple[CellShift, ...]

    @property
    def summary(self) -> str:
        if self.shift is None:
            return (
                f"{self.intent} {self.measure}: not compared (no scenario with "
                f"{MIN_CELL_REQUESTS} healthy requests in both runs)"
            )
        if self.measure == "not success":
            change = f"{100 * self.shift:+.1f} pp"
        else:
            change = _percent(self.shift)
        counted = "(scenario, intent) pair" if self.intent == ALL_INTENTS else "scenario"
        plural = "s" if self.scenarios != 1 else ""
        return (
            f"{self.intent} {self.measure} {change} over {self.scenarios} {counted}{plural} "
            f"(p={self.p_value:.2g})"
        )

    def lines(self) -> list[str]:
        """The regression's lines: each scenario that got worse, worst first."""
        if not self.regressed:
            return []
        worse = [cell for cell in self.cells if cell.now > cell.before]
        worse.sort(key=_worseness, reverse=True)
        return [cell.line for cell in worse]


@dataclass(frozen=True)
class HealthyComparison:
    source: str  # the baseline report
    verdicts: tuple[MeasureVerdict, ...]

    @property
    def regressed(self) -> bool:
        return any(verdict.regressed for verdict in self.verdicts)

    def lines(self) -> list[str]:
        """One line per scenario that got worse in a regressed measure."""
        return [f"regression: {line}" for v in self.verdicts for line in v.lines()]


def _percent(ratio: float) -> str:
    """A ratio as a signed whole percentage: 1.3 -> "+30 %" (never "-0 %")."""
    return f"{round(100 * (ratio - 1)) + 0:+d} %"


def _worseness(cell: CellShift) -> float:
    if cell.measure == "not success":
        return cell.now - cell.before
    return cell.now / cell.before if cell.before > 0 else math.inf


def compare_healthy(
    source: str,
    before: Sequence[HealthyCell],
    now: Sequence[HealthyCell],
    confidence: float,
    *,
    latency_margin: float = LATENCY_MARGIN,
) -> HealthyComparison:
    """This run's healthy cells against the baseline's: latency pooled over every cell both
    share, status mix per intent (`latency_margin`: the benchmark's knob, to show what the
    sampling test alone would flag)."""
    old = cells_by_key(before)
    pairs = [(old[cell.key], cell) for cell in now if cell.key in old]
    verdicts = [
        latency_verdict(ALL_INTENTS, measure, level, pairs, confidence, latency_margin)
        for measure, level in QUANTILES.items()
    ]
    for intent in sorted({cell.intent for _, cell in pairs}):
        mine = [(b, n) for b, n in pairs if n.intent == intent]
        verdicts.append(status_verdict(intent, mine, confidence))
    return HealthyComparison(source, tuple(verdicts))


def latency_verdict(
    intent: str,
    measure: str,
    level: float,
    pairs: Sequence[tuple[HealthyCell, HealthyCell]],
    confidence: float,
    margin: float = LATENCY_MARGIN,
) -> MeasureVerdict:
    """The pooled shift of one quantile, and whether it is beyond both spreads."""
    usable = [
        (b, n)
        for b, n in pairs
        if min(b.requests, n.requests) >= MIN_CELL_REQUESTS and b.quantile(level) > 0
    ]
    if not usable:
        return MeasureVerdict(intent, measure, 0, None, 1.0, False, ())
    cells = tuple(
        CellShift(n.scenario, n.intent, measure, b.quantile(level), n.quantile(level))
        for b, n in usable
    )
    shift = math.exp(median(math.log(max(c.now, 1e-9) / c.before) for c in cells))
    slower_old = sum(round((1 - level) * b.requests) for b, _ in usable)
    slower_new = sum(round(n.share_above(b.quantile(level)) * n.requests) for b, n in usable)
    significant, p_value = two_proportion_worse(
        slower_new,
        sum(n.requests for _, n in usable),
        slower_old,
        sum(b.requests for b, _ in usable),
        confidence,
    )
    regressed = significant and shift >= 1 + margin
    return MeasureVerdict(intent, measure, len(cells), shift, p_value, regressed, cells)


def status_verdict(
    intent: str, pairs: Sequence[tuple[HealthyCell, HealthyCell]], confidence: float
) -> MeasureVerdict:
    """The pooled share of healthy requests not `success`, before and now."""
    cells = tuple(
        CellShift(
            n.scenario,
            intent,
            "not success",
            b.not_success / b.requests,
            n.not_success / n.requests,
        )
        for b, n in pairs
        if b.requests and n.requests
    )
    old_bad, old_all = sum(b.not_success for b, _ in pairs), sum(b.requests for b, _ in pairs)
    new_bad, new_all = sum(n.not_success for _, n in pairs), sum(n.requests for _, n in pairs)
    if not old_all or not new_all:
        return MeasureVerdict(intent, "not success", 0, None, 1.0, False, ())
    shift = new_bad / new_all - old_bad / old_all
    significant, p_value = two_proportion_worse(new_bad, new_all, old_bad, old_all, confidence)
    regressed = significant and shift >= STATUS_MARGIN
    return MeasureVerdict(intent, "not success", len(cells), shift, p_value, regressed, cells)
