"""What an evaluation produces: plain dataclasses the reports read; no logic but verdict policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .spec import SloSpec
from .verdict import Verdict

if TYPE_CHECKING:  # the timeline module builds TimeSeries
    from .healthy import HealthyCell
    from .healthy_regression import HealthyComparison
    from .timeline import Timeline


@dataclass(frozen=True)
class NotJudged:
    """An expectation a run did not judge, and why: what it checks is not a promise of the
    system under test (it declares no such knob). Never a pass, never a fail."""

    group: str
    name: str
    reason: str


@dataclass(frozen=True)
class JudgedBy:
    """Which promises judged a run (`source`: a file, or none declared) and what they left
    unjudged."""

    source: str
    not_judged: tuple[NotJudged, ...] = ()


@dataclass
class Check:
    """A verdict computed elsewhere, e.g. a scenario expectation ("no cross-tenant rows")."""

    group: str
    name: str
    verdict: Verdict
    detail: str = ""  # what was observed, in words
    phase: str = ""  # the phase it judged ("" = the whole scenario)
    expected: str = ""  # what had to hold, as the scenario file says it

    def __post_init__(self) -> None:
        # a bool here is the old (passed, inconclusive) pair: refuse it rather than guess
        self.verdict = Verdict(self.verdict)

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS


@dataclass
class ObjectiveResult:
    name: str
    kind: str  # ratio | latency | recovery
    group: str  # "" or e.g. "intent=search"
    verdict: Verdict
    target: str  # human text, e.g. "<= 5%"
    threshold: float  # the number in the target (ratio, ms or s)
    unit: str  # ratio | ms | s
    observed: float | None
    lower: float | None
    upper: float | None
    samples: int
    hits: int = 0  # events counted by a ratio objective
    quantile: float | None = None
    more_samples: int | None = None  # further samples likely to settle an inconclusive verdict
    detail: str = ""
    budget_consumed: float | None = None  # share of the error budget used (1.0 = all of it)
    burn_rates: list[tuple[float, float]] = field(default_factory=list)  # (bucket start, burn rate)
    regression: bool = False
    regression_detail: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} [{self.group}]" if self.group else self.name

    @property
    def max_burn_rate(self) -> float | None:
        return max((rate for _, rate in self.burn_rates), default=None)


@dataclass
class TimeSeries:
    """Whole-run series as report.json holds them: one entry per bucket of `bucket_s` seconds
    from `start` (see `timeline.Timeline.series`)."""

    start: float
    bucket_s: float
    status_counts: list[dict[str, int]]
    p50_ms: list[float | None]
    p95_ms: list[float | None]
    p99_ms: list[float | None]


@dataclass
class Evaluation:
    spec: SloSpec
    results: list[ObjectiveResult]
    timeline: Timeline  # the one series every report shows
    observations: int  # read
    matched: int  # passed the file's filters
    started: float | None
    ended: float | None
    status_totals: dict[str, int]
    baseline_source: str = ""
    # objectives with nothing to judge in this run (a phase it never had), with the reason:
    # never counted as inconclusive or failed
    no_data: dict[str, str] = field(default_factory=dict)
    # the workload judged: the scenarios (a load run's profile) its observations name
    scenarios: tuple[str, ...] = ()
    # per scenario and intent, the healthy phase (what a later run's --baseline compares)
    healthy: tuple[HealthyCell, ...] = ()
    # with --baseline: the healthy phase compared with the baseline report's
    healthy_comparison: HealthyComparison | None = None

    @property
    def timeseries(self) -> TimeSeries:
        """The timeline as report.json holds it."""
        return self.timeline.series()

    def gate_outcome(self, result: ObjectiveResult) -> str:
        """What this result means for the gate under the file's policies: pass | warn | fail."""
        if result.verdict == Verdict.FAIL:
            return "fail"
        if result.regression:
            return "fail" if self.spec.on_regression == "fail" else "warn"
        if result.verdict == Verdict.INCONCLUSIVE:
            return "fail" if self.spec.on_inconclusive == "fail" else "warn"
        return "pass"

    def healthy_outcome(self) -> str:
        """A healthy-phase regression against --baseline, under `on_regression`."""
        if self.healthy_comparison is None or not self.healthy_comparison.regressed:
            return "pass"
        return "fail" if self.spec.on_regression == "fail" else "warn"

    def check_outcome(self, check: Check) -> str:
        """The same for a check: an undecided check follows `on_inconclusive` too."""
        if check.verdict == Verdict.INCONCLUSIVE:
            return "fail" if self.spec.on_inconclusive == "fail" else "warn"
        return "pass" if check.passed else "fail"
