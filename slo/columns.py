"""The observation frame's columns: which the SLO file needs, their types and defaults."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from vocabulary import Phase

from .latency import coarse_bin
from .spec import RatioKind, SloSpec

PHASES = [phase.value for phase in Phase]

# column -> (type in the frame, default when the record omits it; None = required).
# Required columns are always read, to be validated; the others only when the file uses them.
COLUMNS: dict[str, tuple[pl.DataType, object]] = {
    "ts": (pl.Float64(), None),
    "source": (pl.Categorical(), "scenario"),
    "scenario": (pl.Categorical(), None),
    # a closed set: one byte a row; an unknown phase fails the cast, and the line is named
    "phase": (pl.Enum(PHASES), Phase.BASELINE.value),
    "tenant": (pl.Categorical(), ""),
    "intent": (pl.Categorical(), ""),
    "status": (pl.Categorical(), None),
    "latency_ms": (pl.Float64(), None),
    "fallback_used": (pl.Boolean(), False),
}
REQUIRED = [name for name, (_, default) in COLUMNS.items() if default is None]
_OPTIONAL_FOR = {"source", "tenant", "intent"}  # read when a filter or a split names them


def needed_columns(spec: SloSpec, extra: Iterable[str] = ()) -> list[str]:
    """The columns the SLO file reads, and the `extra` ones a report wants (intent, tenant)."""
    wanted = set(REQUIRED) | {"phase"} | set(extra)
    for filters in [spec.filters] + [o.filters for o in spec.objectives]:
        wanted |= {name for name in _OPTIONAL_FOR if getattr(filters, name) is not None}
    wanted |= {o.per.value for o in spec.objectives if o.per is not None}
    if any(o.ratio is RatioKind.FALLBACK for o in spec.objectives):
        wanted.add("fallback_used")
    return [name for name in COLUMNS if name in wanted]


def tools_of(spec: SloSpec) -> list[str]:
    return sorted({o.tool for o in spec.objectives if o.tool})


_TOOL = "tool_errors."


def tool_column(tool: str) -> str:
    return f"{_TOOL}{tool}"


def finished(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame | pl.DataFrame:
    """Defaults filled, strings categorical (4 bytes a row, the phase 1), and the latency
    bucket the histograms share."""
    names = frame.collect_schema().names()
    filled = [
        (pl.col(name) if default is None else pl.col(name).fill_null(default)).cast(dtype)
        for name, (dtype, default) in COLUMNS.items()
        if name in names
    ]
    tools = [pl.col(name).cast(pl.Categorical()) for name in names if name.startswith(_TOOL)]
    # no per-row second: per-second counts are taken once (see `second_counts`)
    shared = [coarse_bin().cast(pl.Int16).alias("bin")]  # < 700 up to an hour-long request
    return frame.with_columns(filled + tools + shared)


def invalid_rows(frame: pl.DataFrame) -> int:
    """Records missing a required field, with a negative latency or an unknown phase."""
    invalid = pl.any_horizontal([pl.col(name).is_null() for name in REQUIRED])
    invalid = invalid | (pl.col("latency_ms") < 0) | ~pl.col("phase").is_in(PHASES)
    return int(frame.select(invalid.sum()).item())
