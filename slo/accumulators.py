"""Per-objective state for the single streaming pass. Each `add` is O(1) amortised and each
accumulator's memory is bounded by the number of groups and time buckets, never by the
number of observations."""

from __future__ import annotations

from dataclasses import dataclass, field

from vocabulary import Observation, Phase, Status

from .latency import CoarseHistogram, LatencyRecorder
from .series import CompactingSeries, merge_counts, new_counts
from .spec import Objective

WINDOW_RESOLUTION = 10  # buckets per sliding window: it slides in tenths of its length


def group_of(per: str | None, obs: Observation) -> str:
    if per is None:
        return ""
    value = getattr(obs, per)
    return f"{per}={getattr(value, 'value', value)}"


@dataclass
class RatioGroup:
    objective: Objective
    hits: int = 0
    total: int = 0
    burn: CompactingSeries[list[int]] = field(
        default_factory=lambda: CompactingSeries(new_counts, merge_counts)
    )
    windows: CompactingSeries[list[int]] | None = None

    def __post_init__(self) -> None:
        self._is_hit = self.objective.hit_predicate()
        if self.objective.window_s is not None:
            # fine buckets, not compacted: bounded by the run's duration / resolution
            width = self.objective.window_s / WINDOW_RESOLUTION
            self.windows = CompactingSeries(
                new_counts, merge_counts, width_s=width, max_buckets=None
            )

    def add(self, obs: Observation) -> None:
        hit = self._is_hit(obs)
        self.hits += hit
        self.total += 1
        counts = self.burn.at(obs.ts)
        counts[0] += hit
        counts[1] += 1
        if self.windows is not None:
            counts = self.windows.at(obs.ts)
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
        success = obs.status == Status.SUCCESS
        if obs.phase is Phase.BASELINE:
            self.baseline_success += success
            self.baseline_total += 1
            self.baseline_latency.record(obs.latency_ms)
        elif obs.phase is Phase.RECOVERY:
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
        # resolved once: `add` runs for every observation and objective
        self._kind = objective.kind
        self._matches = None if objective.filters.is_empty else objective.filters.matches
        self._per = objective.per.value if objective.per is not None else None
        # the same objective over another phase of the run, to compare against
        self.reference_groups: dict[str, RatioGroup] = {}
        self._reference_phase = objective.compare_with_phase
        self._reference_filters = objective.filters.model_copy(update={"phase": None})

    def add(self, obs: Observation) -> None:
        if self._reference_phase is not None and obs.phase is self._reference_phase:
            self._add_reference(obs)
        if self._matches is not None and not self._matches(obs):
            return
        if self._kind == "recovery":
            key = f"scenario={obs.scenario}"
            group = self.recovery_groups.get(key)
            if group is None:
                group = self.recovery_groups[key] = RecoveryGroup()
            group.add(obs)
            return
        key = group_of(self._per, obs)
        if self._kind == "ratio":
            ratio = self.ratio_groups.get(key)
            if ratio is None:
                ratio = self.ratio_groups[key] = RatioGroup(self.objective)
            ratio.add(obs)
        else:
            recorder = self.latency_groups.get(key)
            if recorder is None:
                recorder = self.latency_groups[key] = LatencyRecorder()
            recorder.record(obs.latency_ms)

    def _add_reference(self, obs: Observation) -> None:
        if not self._reference_filters.matches(obs):
            return
        key = group_of(self._per, obs)
        group = self.reference_groups.get(key)
        if group is None:
            group = self.reference_groups[key] = RatioGroup(
                self.objective.model_copy(update={"window_s": None})
            )
        group.add(obs)
