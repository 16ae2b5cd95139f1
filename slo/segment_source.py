"""Segments read a part at a time: the spans of time each one holds, then the requests of a
span of the run, from only the segments that overlap it.

A first light read takes each segment's timestamps (and the columns the SLO file's own
filters name): the run's bounds and how many requests the SLO file judges; with no such
filter, a segment's footer says it without reading a row. Later reads take a span's
segments whole (the frame's columns, validated as `frame` validates them) and keep the
requests the caller picks, so no more than a span of the run is ever held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vocabulary import ObservationFileError

from .columns import COLUMNS, PHASES, REQUIRED, needed_columns, tool_column, tools_of
from .expressions import matches
from .second_counts import filter_labels
from .spec import SloSpec
from .tool_codes import first_code

RowPick = Callable[[pa.Table], np.ndarray]  # a segment's rows to keep, as a boolean mask


@dataclass(frozen=True)
class Span:
    """One segment: its rows and the earliest and latest start it holds."""

    path: Path
    rows: int
    first: float | None
    last: float | None


@dataclass(frozen=True)
class Bounds:
    """The requests the SLO file judges: how many, the first and last start."""

    matched: int
    first: float | None
    last: float | None


class SegmentSource:
    def __init__(self, files: Sequence[Path], spec: SloSpec) -> None:
        self.spec = spec
        self.spans: list[Span] = []
        matched, first, last = 0, None, None
        for path in files:
            span, judged = _span(path, spec)
            self.spans.append(span)
            if judged.matched:
                matched += judged.matched
                first = judged.first if first is None else min(first, judged.first)  # type: ignore[type-var]
                last = judged.last if last is None else max(last, judged.last)  # type: ignore[type-var]
        self.bounds = Bounds(matched, first, last)

    @property
    def observations(self) -> int:
        return sum(span.rows for span in self.spans)

    def judged(self, low: float, high: float, keep: pl.Expr) -> pl.DataFrame:
        """The judged requests that `keep` picks, of the segments overlapping `[low, high]`."""
        files = [
            s.path
            for s in self.spans
            if s.first is not None and s.last is not None and s.first <= high and s.last >= low
        ]
        return self._judged(files, keep)

    def segment_reads(
        self, columns: Iterable[str], rows: int, kept: RowPick | None = None
    ) -> Iterator[Callable[[], pl.DataFrame]]:
        """Reads of the judged requests, a few whole segments of about `rows` requests each,
        only `columns` (and those the SLO file's filters read), as the chunks hold them: what
        a second read needs is a small part of what the first took. `kept` picks the rows
        of each segment as Arrow holds them, before they become a frame."""
        wanted = set(columns) | filter_labels(self.spec.filters)
        names = [n for n in COLUMNS if n in wanted]

        def read(paths: list[Path]) -> pl.DataFrame:
            frames = [_lean_frame(path, names, [], kept) for path in paths]
            frame = pl.concat(frames, how="vertical")
            filtered = not self.spec.filters.is_empty
            return frame.filter(matches(self.spec.filters)) if filtered else frame

        batch: list[Path] = []
        held = 0
        for span in self.spans:
            if span.rows:
                batch.append(span.path)
                held += span.rows
            if batch and held >= rows:
                yield partial(read, batch)
                batch, held = [], 0
        if batch:
            yield partial(read, batch)

    def _judged(self, files: Sequence[Path], keep: pl.Expr) -> pl.DataFrame:
        # intent and source: the healthy phase is summarised per scenario and intent, attacks out
        names = needed_columns(self.spec, extra=("intent", "source"))
        tools = tools_of(self.spec)
        if not files:
            labels = {n for n in names if isinstance(COLUMNS[n][0], pl.Categorical | pl.Enum)}
            empty = {n: pl.Categorical() if n in labels else COLUMNS[n][0] for n in names}
            return pl.DataFrame(schema=empty | {tool_column(t): pl.Categorical() for t in tools})
        wanted = matches(self.spec.filters) & keep if not self.spec.filters.is_empty else keep

        def read(path: Path) -> pl.DataFrame:
            # each segment filtered on its own, copied only when a row leaves: the chunk is
            # then held once, its segments linked, not copied again whole
            rows = _lean_frame(path, names, tools)
            picked = rows.lazy().select(wanted).collect().to_series()  # as `packed_groups`
            return rows if picked.all() else rows.filter(picked)

        # two segments decoded at once: the first chunk has no counting to overlap with
        with ThreadPoolExecutor(max_workers=2) as pool:
            return pl.concat(list(pool.map(read, files)), how="vertical")


def _span(path: Path, spec: SloSpec) -> tuple[Span, Bounds]:
    labels = sorted(filter_labels(spec.filters))
    try:
        if not labels and (span := _span_of_statistics(path)) is not None:
            return span, Bounds(span.rows, span.first, span.last)
        table = pq.read_table(path, columns=["ts", *labels])
    except (pa.ArrowException, OSError) as exc:
        reason = " ".join(str(exc).split())
        raise ObservationFileError(f"{path}: cannot read observation segments ({reason})") from None
    if table["ts"].null_count:
        raise ObservationFileError(f"{path}: an observation lacks a required field (ts)")
    low, high = pc.min_max(table["ts"]).values()
    span = Span(path, table.num_rows, low.as_py(), high.as_py())
    if not labels:
        return span, Bounds(span.rows, span.first, span.last)
    rows = pl.from_arrow(table).with_columns(  # type: ignore[union-attr]
        pl.col(name).cast(pl.String).fill_null(str(COLUMNS[name][1])) for name in labels
    )
    picked = rows.filter(matches(spec.filters)).select(
        pl.len(), pl.col("ts").min().alias("first"), pl.col("ts").max().alias("last")
    )
    return span, Bounds(*picked.row(0))


def _span_of_statistics(path: Path) -> Span | None:
    """The span from the segment's footer, without reading a row; None when a row group
    carries no statistics of `ts` (a segment written by another tool)."""
    metadata = pq.ParquetFile(path).metadata
    if not metadata.num_row_groups:
        return Span(path, 0, None, None)
    first_group = metadata.row_group(0)
    paths = [first_group.column(i).path_in_schema for i in range(first_group.num_columns)]
    if "ts" not in paths:
        return None
    column = paths.index("ts")
    lows, highs = [], []
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        stats = group.column(column).statistics
        if group.num_rows and (stats is None or not stats.has_min_max or stats.null_count):
            return None
        if group.num_rows:
            lows.append(stats.min)
            highs.append(stats.max)
    if not lows:
        return Span(path, 0, None, None)
    return Span(path, metadata.num_rows, float(min(lows)), float(max(highs)))


def _lean_frame(
    path: Path, names: list[str], tools: list[str], kept: RowPick | None = None
) -> pl.DataFrame:
    """A segment as the frame's columns, with less work than `frame.read_segments`: labels
    stay the file's dictionaries (the phase too: its values are checked once, on the
    dictionary, not cast a row at a time), a default is filled only where a value is missing,
    and no latency bucket is added (the recovery objectives add theirs). Validated as the
    frame is; decoded on one thread (on our busy 2-core machines, threads per column took
    about twice as long; two segments decoded at once, a thread each, do better)."""
    labels = [n for n in names if isinstance(COLUMNS[n][0], pl.Categorical | pl.Enum)]
    try:
        table = pq.read_table(
            path,
            columns=[*names, "tool_errors"] if tools else names,
            read_dictionary=labels,
            use_threads=False,
        )
        _validate(path, table)
        for tool in tools:
            table = table.append_column(tool_column(tool), first_code(table["tool_errors"], tool))
    except (pa.ArrowException, OSError) as exc:
        reason = " ".join(str(exc).split())
        raise ObservationFileError(f"{path}: cannot read observation segments ({reason})") from None
    table = table.drop_columns(["tool_errors"]) if tools else table
    table = table.filter(kept(table)) if kept is not None else table
    frame: pl.DataFrame = pl.from_arrow(table)  # type: ignore[assignment]
    filled = [
        pl.col(name).fill_null(default)
        for name in names
        if (default := COLUMNS[name][1]) is not None and table[name].null_count
    ]
    tool_codes = [pl.col(tool_column(t)).cast(pl.Categorical()) for t in tools]
    return frame.with_columns(filled + tool_codes) if filled or tool_codes else frame


def _validate(path: Path, table: pa.Table) -> None:
    """What `columns.invalid_rows` refuses, checked on the Arrow columns."""
    missing = [name for name in REQUIRED if table[name].null_count]
    low = pc.min(table["latency_ms"]).as_py()
    phases = {
        value.as_py()
        for chunk in table["phase"].chunks
        for value in chunk.dictionary  # type: ignore[attr-defined]
    }
    if missing or (low is not None and low < 0) or phases - set(PHASES) - {None}:
        raise ObservationFileError(
            f"{path}: an observation lacks a required field or has a negative latency"
        )
