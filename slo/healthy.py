"""The healthy phase of a run, summarised per scenario and intent: what `--baseline` compares.

Healthy means the `baseline` phase (steady traffic before any fault) of the scenarios' own
requests (attacks left out). Each (scenario, intent) cell keeps its request count, its status
counts and its latency as a compact quantile sketch (the latency at every 5 %, linear
interpolation), enough for a later run to compare its own cells with: p50 and p95 are read
from it, and so is the share of requests above any latency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from vocabulary import Phase

SKETCH_LEVELS = tuple(i / 20 for i in range(21))  # 0, 5 %, ..., 100 %
HEALTHY_COLUMNS = ("scenario", "intent", "source", "phase", "status", "latency_ms")


@dataclass(frozen=True)
class HealthyCell:
    """One scenario's healthy requests of one intent."""

    scenario: str
    intent: str
    requests: int
    statuses: Mapping[str, int] = field(default_factory=dict)
    sketch_ms: tuple[float, ...] = ()  # latency at each of SKETCH_LEVELS

    @property
    def key(self) -> tuple[str, str]:
        return (self.scenario, self.intent)

    def quantile(self, level: float) -> float:
        """The latency at `level` (0..1), read from the sketch."""
        return float(np.interp(level, SKETCH_LEVELS, self.sketch_ms))

    def share_above(self, latency_ms: float) -> float:
        """The share of this cell's requests slower than `latency_ms`, read from the sketch."""
        below = np.interp(latency_ms, self.sketch_ms, SKETCH_LEVELS, left=0.0, right=1.0)
        return float(1.0 - below)

    @property
    def not_success(self) -> int:
        return self.requests - int(self.statuses.get("success", 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "intent": self.intent,
            "requests": self.requests,
            "statuses": dict(self.statuses),
            "p50_ms": round(self.quantile(0.5), 3),
            "p95_ms": round(self.quantile(0.95), 3),
            "sketch_ms": [round(value, 3) for value in self.sketch_ms],
        }

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> HealthyCell:
        """A cell as report.json holds it; KeyError, TypeError or ValueError when malformed."""
        sketch = tuple(float(value) for value in entry["sketch_ms"])
        if len(sketch) != len(SKETCH_LEVELS):
            raise ValueError(f"sketch_ms holds {len(sketch)} values, not {len(SKETCH_LEVELS)}")
        return cls(
            scenario=str(entry["scenario"]),
            intent=str(entry["intent"]),
            requests=int(entry["requests"]),
            statuses={str(k): int(v) for k, v in dict(entry["statuses"]).items()},
            sketch_ms=sketch,
        )


def cell_of(
    scenario: str, intent: str, latencies_ms: Sequence[float], statuses: Mapping[str, int]
) -> HealthyCell:
    """A cell from its requests' latencies (the same sketch the engine computes)."""
    sketch = np.quantile(np.asarray(latencies_ms, dtype=float), SKETCH_LEVELS)
    return HealthyCell(
        scenario, intent, len(latencies_ms), dict(statuses), tuple(float(v) for v in sketch)
    )


def healthy_rows(rows: pl.LazyFrame) -> pl.LazyFrame:
    """The scenarios' own requests of the healthy phase."""
    names = rows.collect_schema().names()
    healthy = rows.filter(pl.col("phase") == Phase.BASELINE.value)
    if "source" in names:
        healthy = healthy.filter(pl.col("source").cast(pl.String) != "attack")
    return healthy


def healthy_cells(rows: pl.LazyFrame) -> tuple[HealthyCell, ...]:
    """Per scenario and intent, the healthy phase's summary (no cell for a frame without
    intents: a report that cannot be compared says so rather than guessing)."""
    if "intent" not in rows.collect_schema().names():
        return ()
    healthy = healthy_rows(rows).with_columns(
        pl.col("scenario").cast(pl.String), pl.col("intent").cast(pl.String)
    )
    sketches = (
        healthy.group_by("scenario", "intent")
        .agg(
            pl.len().alias("requests"),
            pl.concat_list(
                [pl.col("latency_ms").quantile(level, "linear") for level in SKETCH_LEVELS]
            )
            .first()
            .alias("sketch"),
        )
        .collect()
    )
    statuses = _status_counts(healthy)
    return tuple(
        HealthyCell(
            scenario=scenario,
            intent=intent,
            requests=requests,
            statuses=statuses.get((scenario, intent), {}),
            sketch_ms=tuple(float(value) for value in sketch),
        )
        for scenario, intent, requests, sketch in sorted(sketches.iter_rows())
    )


def _status_counts(healthy: pl.LazyFrame) -> dict[tuple[str, str], dict[str, int]]:
    counted = (
        healthy.group_by("scenario", "intent", pl.col("status").cast(pl.String)).len().collect()
    )
    statuses: dict[tuple[str, str], dict[str, int]] = {}
    for scenario, intent, status, count in counted.sort("status").iter_rows():
        statuses.setdefault((scenario, intent), {})[status] = count
    return statuses


def cells_by_key(cells: Sequence[HealthyCell]) -> dict[tuple[str, str], HealthyCell]:
    return {cell.key: cell for cell in cells}
