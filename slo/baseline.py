"""Comparison against a previous run's report.json: flag what got significantly worse.

Ratios: a one-sided two-proportion z-test on the share of bad events. Percentiles: the
previous run had a share (1 - q) of requests slower than its own p_q; the same test asks
whether this run's share slower than that value is significantly larger. The healthy phase,
per scenario and intent, is compared by `healthy_regression`: the objectives alone miss a
slower build when fault traffic dominates them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .accumulators import RatioGroup
from .healthy import HealthyCell
from .healthy_regression import HealthyComparison, compare_healthy
from .latency import ExactLatencies
from .results import ObjectiveResult
from .stats import two_proportion_worse

SUPPORTED_SCHEMA = 1


class BaselineFileError(ValueError):
    """The --baseline report cannot be read; `str()` is one line naming the file."""


@dataclass(frozen=True)
class BaselineObjective:
    kind: str
    samples: int
    hits: int
    observed: float | None
    quantile: float | None


class DifferentWorkload(BaselineFileError):
    """The baseline ran other scenarios (or another load profile) than this run: their
    objectives judge different populations, so comparing them would say nothing."""


@dataclass(frozen=True)
class BaselineReport:
    source: str
    objectives: dict[tuple[str, str], BaselineObjective]
    scenarios: tuple[str, ...] | None = None  # None: a report written before workloads
    # per scenario and intent, the healthy phase; None: a report written before them
    healthy: tuple[HealthyCell, ...] | None = None

    def compare_healthy(
        self, now: tuple[HealthyCell, ...], confidence: float
    ) -> HealthyComparison | None:
        """This run's healthy phase against the baseline's (None: nothing to compare with)."""
        if self.healthy is None:
            return None
        return compare_healthy(self.source, self.healthy, now, confidence)

    def check_same_workload(self, scenarios: tuple[str, ...]) -> None:
        """Raise DifferentWorkload, in one line, unless this run's scenarios are the
        baseline's."""
        if self.scenarios is None or set(self.scenarios) == set(scenarios):
            return
        missing = sorted(set(self.scenarios) - set(scenarios))
        extra = sorted(set(scenarios) - set(self.scenarios))
        differences = [
            f"{label}: {_some(names)}"
            for label, names in (("only in the baseline", missing), ("only in this run", extra))
            if names
        ]
        raise DifferentWorkload(
            f"{self.source}: a different workload (the baseline ran {_count(self.scenarios)}, "
            f"this run {_count(scenarios)}; {'; '.join(differences)}): compare runs of the "
            "same scenarios or load profile"
        )

    @classmethod
    def load(cls, path: str | Path) -> BaselineReport:
        path = Path(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineFileError(f"{path}: baseline report not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineFileError(f"{path}: cannot read baseline report ({exc})") from None
        except json.JSONDecodeError as exc:
            raise BaselineFileError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
        if not isinstance(document, dict) or document.get("schema_version") != SUPPORTED_SCHEMA:
            got = document.get("schema_version") if isinstance(document, dict) else None
            raise BaselineFileError(
                f"{path}: field 'schema_version': expected {SUPPORTED_SCHEMA}, got {got!r}"
            )
        objectives: dict[tuple[str, str], BaselineObjective] = {}
        for index, entry in enumerate(document.get("objectives") or []):
            try:
                key = (str(entry["name"]), str(entry.get("group", "")))
                objectives[key] = BaselineObjective(
                    kind=str(entry["kind"]),
                    samples=int(entry["samples"]),
                    hits=int(entry.get("hits", 0)),
                    observed=entry.get("observed"),
                    quantile=entry.get("quantile"),
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise BaselineFileError(
                    f"{path}: field 'objectives[{index}]': expected name, kind and samples ({exc})"
                ) from None
        return cls(
            source=str(path),
            objectives=objectives,
            scenarios=_workload(path, document),
            healthy=_healthy(path, document),
        )


def _workload(path: Path, document: dict) -> tuple[str, ...] | None:
    workload = document.get("workload")
    if workload is None:
        return None
    scenarios = workload.get("scenarios") if isinstance(workload, dict) else None
    if not isinstance(scenarios, list) or not all(isinstance(s, str) for s in scenarios):
        raise BaselineFileError(
            f"{path}: field 'workload.scenarios': expected a list of scenario names"
        )
    return tuple(scenarios)


def _healthy(path: Path, document: dict) -> tuple[HealthyCell, ...] | None:
    entries = document.get("healthy")
    if entries is None:
        return None
    cells = []
    for index, entry in enumerate(entries if isinstance(entries, list) else [None]):
        try:
            cells.append(HealthyCell.from_json(entry))
        except (KeyError, TypeError, ValueError) as exc:
            raise BaselineFileError(
                f"{path}: field 'healthy[{index}]': expected scenario, intent, requests, "
                f"statuses and sketch_ms ({exc})"
            ) from None
    return tuple(cells)


def _count(scenarios: tuple[str, ...]) -> str:
    return f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}"


def _some(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def compare_ratio(
    result: ObjectiveResult, at_most: bool, previous: BaselineObjective, confidence: float
) -> None:
    if previous.kind != "ratio" or result.kind != "ratio" or not result.samples:
        return
    bad_new = result.hits if at_most else result.samples - result.hits
    bad_old = previous.hits if at_most else previous.samples - previous.hits
    worse, p_value = two_proportion_worse(
        bad_new, result.samples, bad_old, previous.samples, confidence
    )
    _flag(result, worse, p_value, f"{bad_old}/{previous.samples}", f"{bad_new}/{result.samples}")


def compare_ratio_with_phase(
    result: ObjectiveResult, at_most: bool, reference: RatioGroup, phase: str, confidence: float
) -> None:
    """The same run's other phase as the reference (e.g. fault against baseline)."""
    if not result.samples or not reference.total:
        return
    bad_new = result.hits if at_most else result.samples - result.hits
    bad_old = reference.hits if at_most else reference.total - reference.hits
    worse, p_value = two_proportion_worse(
        bad_new, result.samples, bad_old, reference.total, confidence
    )
    result.regression = result.regression or worse
    verdict = "significantly worse" if worse else "not significantly worse"
    counts = f"{bad_old}/{reference.total} -> {bad_new}/{result.samples}, p={p_value:.3g}"
    note = f"{verdict} than the {phase} phase ({counts})"
    result.regression_detail = "; ".join(p for p in (result.regression_detail, note) if p)


def compare_latency(
    result: ObjectiveResult,
    recorder: ExactLatencies,
    previous: BaselineObjective,
    confidence: float,
) -> None:
    if (
        previous.kind != "latency"
        or previous.observed is None
        or previous.quantile is None
        or not recorder.count
    ):
        return
    slower_old = round((1 - previous.quantile) * previous.samples)
    slower_new = recorder.count_above(float(previous.observed))
    worse, p_value = two_proportion_worse(
        slower_new, recorder.count, slower_old, previous.samples, confidence
    )
    _flag(
        result,
        worse,
        p_value,
        f"{slower_old}/{previous.samples} slower than {previous.observed:.1f} ms",
        f"{slower_new}/{recorder.count}",
    )


def _flag(result: ObjectiveResult, worse: bool, p_value: float, before: str, now: str) -> None:
    result.regression = worse
    verdict = "significantly worse" if worse else "not significantly worse"
    result.regression_detail = f"{verdict} than baseline ({before} -> {now}, p={p_value:.3g})"
