"""Per-objective state for the single streaming pass. Each `add` is O(1) amortised and each
accumulator's memory is bounded by the number of groups and time buckets, never by the
number of observations."""

from __future__ import annotations

from dataclasses import dataclass, field

from .latency import CoarseHistogram, LatencyRecorder
from .observation import Observation
from .series import CompactingSeries, merge_counts, new_counts
from .spec import Objective

WINDOW_RESOLUTION = 10  # buckets per sliding window: it slides in tenths of its length


def group_of(objective: Objective, obs: Observation) -> str:
    if objective.per is None:
        return ""
    value = getattr(obs, objective.per.value)
    return f"{objective.per.value}={getattr(value, 'value', value)}"


@dataclass
class RatioGroup:
    objective: Objective
    hits: int = 0
    total: int = 0
    burn: CompactingSeries[list[int]] = field(default_factory=lambda: CompactingSeries(new_counts, merge_counts))
    windows: CompactingSeries[list[int]] | None = None

    def __post_init__(self) -> None:
        if self.objective.window_s is not None:
            # fine buckets, not compacted: bounded by the run's duration / resolution
            width = self.objective.window_s / WINDOW_RESOLUTION
            self.windows = CompactingSeries(new_counts, merge_counts, width_s=width, max_buckets=None)

    def add(self, obs: Observation) -> None:
        hit = self.objective.counts_as_hit(obs)
        self.hits += hit
        self.total += 1
        for series in (self.burn, self.windows):
            if series is not None:
                counts = series.at(obs.ts)
                counts[0] += hit
                counts[1] += 1


@dataclass
class RecoveryGroup:
    """Baseline reference and per-second recovery buckets of one scenario."""

    baseline_success: int = 0
    baseline_total: int = 0
    baseline_latency: CoarseHistogram = field(default_factory=CoarseHistogram)
    recovery_start: float | None = None
    # second (floored epoch) -> [successes, total, latency histogram]
    seconds: dict[int, tuple[list[int], CoarseHistogram]] = field(default_factory=dict)

    def add(self, obs: Observation) -> None:
        success = obs.status == "success"
        if obs.phase.value == "baseline":
            self.baseline_success += success
            self.baseline_total += 1
            self.baseline_latency.record(obs.latency_ms)
        elif obs.phase.value == "recovery":
            if self.recovery_start is None or obs.ts < self.recovery_start:
                self.recovery_start = obs.ts
            counts, latency = self.seconds.setdefault(int(obs.ts), ([0, 0], CoarseHistogram()))
            counts[0] += success
            counts[1] += 1
            latency.record(obs.latency_ms)


class ObjectiveAccumulator:
    """Routes an observation to its group's state for one objective."""

    def __init__(self, objective: Objective) -> None:
        self.objective = objective
        self.ratio_groups: dict[str, RatioGroup] = {}
        self.latency_groups: dict[str, LatencyRecorder] = {}
        self.recovery_groups: dict[str, RecoveryGroup] = {}

    def add(self, obs: Observation) -> None:
        objective = self.objective
        if not objective.filters.matches(obs):
            return
        if objective.kind == "recovery":
            key = f"scenario={obs.scenario}"
            group = self.recovery_groups.get(key)
            if group is None:
                group = self.recovery_groups[key] = RecoveryGroup()
            group.add(obs)
            return
        key = group_of(objective, obs)
        if objective.kind == "ratio":
            ratio = self.ratio_groups.get(key)
            if ratio is None:
                ratio = self.ratio_groups[key] = RatioGroup(objective)
            ratio.add(obs)
        else:
            recorder = self.latency_groups.get(key)
            if recorder is None:
                recorder = self.latency_groups[key] = LatencyRecorder()
            recorder.record(obs.latency_ms)
