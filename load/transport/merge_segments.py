"""A run's merge in bounded memory: every worker's segments become the run's own, in time
order, each request once, each labelled with the phase it lived through.

    worker segments, read in place by DuckDB (a row is known by its file and row number)
      1. the request ids met more than once                    GROUP BY id HAVING count > 1
      2. every occurrence of those but the first (file order, then row): the duplicates
      3. every other row in time order, ties kept in the order read       ORDER BY ts, file, row
    ──► Arrow batches ──► labelled (`vocabulary.phase_arrays`) ──► `SegmentWriter` into the run

The order read is the workers' in the order given, each one's segments in the order written:
the first of a request id's occurrences in that order is the one kept, and equal start times
keep that order too (the rule the harness always had, a stable sort of what was kept).

Why DuckDB: a run holds as many request ids as requests (86M in a day at 1,000 req/s), so
no set of them fits in bounded memory, a Python one (~100 bytes an id) or polars' group-by
(whose hash table is held whole). DuckDB's hash aggregate, hash join and sort spill to disk
past `memory_limit`, into a folder beside the run's own, removed after. Nothing builds a
Python object per observation: rows go from segment to segment as Arrow columns.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from vocabulary import FaultWindow, read_observations
from vocabulary.phase_arrays import phases_during
from vocabulary.segment_format import SCHEMA
from vocabulary.segment_writer import SegmentWriter, segment_files

# DuckDB's, past which it spills. The merging process peaked at ~620 MB with it, from 1M to
# 20M observations (bench/merge_memory.py): imports, Arrow batches, the open segment, and
# what DuckDB holds outside its limit. 128MB took ~120 MB less and ~10% longer.
MEMORY_LIMIT = "256MB"
THREADS = 2  # each thread sorts in buffers of its own: more would want a larger limit
BATCH_ROWS = 65_536  # rows handed from DuckDB to the writer at a time
DUPLICATE_SAMPLE = 100  # duplicate request ids named; all are counted

# Under `to_batch`'s rule a uuid4 hex id is stored as its 16 bytes and any other id as text,
# the bytes then null: the pair is the id, with no per-row string built to compare.
_ID = "request_id, request_id_text"
# Every row of the files ($files), with DuckDB's `file_index` (its file's place in the list)
# and `file_row_number` (its place in that file): where it stands in the order read. (No
# columns from the folders' names: a run kept under `date=.../` is no partition.)
_ROWS = "read_parquet($files, file_row_number = true, hive_partitioning = false)"
_SAME_ID = " AND ".join(
    f"o.{column} IS NOT DISTINCT FROM d.{column}" for column in ("request_id", "request_id_text")
)


@dataclass(frozen=True)
class MergedSegments:
    count: int  # observations in the merged segments: each request id once
    per_worker: dict[str, int]  # observations read from each worker's segments
    duplicates: int  # observations left out: their request id was met before
    duplicate_sample: list[str]  # the first DUPLICATE_SAMPLE of those ids, in the order read
    segments: list[Path]  # the merged run, in time order


def merge_segments(
    sources: Sequence[tuple[str, Sequence[Path]]],
    fault_windows: Sequence[FaultWindow],
    into: Path,
) -> MergedSegments:
    """Merge each worker's files (segments, or an older run's JSON lines) into segments in
    `into`, replacing any an earlier run left there."""
    for stale in segment_files(into) if into.is_dir() else ():
        stale.unlink()  # a folder reused for another run
    spill = into.with_name(f".{into.name}-merge")  # DuckDB's, and an older run's conversions
    shutil.rmtree(spill, ignore_errors=True)
    spill.mkdir(parents=True)
    try:
        per_worker: dict[str, int] = {}
        ordered: list[str] = []  # every segment holding a row, in the order read
        for index, (worker, paths) in enumerate(sources):
            segments = _as_segments(paths, spill / f"lines-{index}")
            rows = {path: pq.ParquetFile(path).metadata.num_rows for path in segments}
            per_worker[worker] = sum(rows.values())
            ordered += [str(path) for path, count in rows.items() if count]
        if not ordered:
            return MergedSegments(0, per_worker, 0, [], [])
        with _connection(spill) as connection:
            duplicates, sample = _find_duplicates(connection, ordered)
            written = _write_in_time_order(connection, ordered, fault_windows, into)
        return MergedSegments(written, per_worker, duplicates, sample, segment_files(into))
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _connection(spill: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(
        config={
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": str(spill),
            "threads": THREADS,
            "preserve_insertion_order": False,  # the sort says the order
        }
    )
    connection.execute("SET enable_progress_bar = false")
    return connection


def _find_duplicates(
    connection: duckdb.DuckDBPyConnection, files: list[str]
) -> tuple[int, list[str]]:
    """Mark every occurrence of a request id but its first (table `dropped`); returns how
    many there are and the first DUPLICATE_SAMPLE ids, in the order read."""
    connection.execute(
        f"CREATE TEMP TABLE repeated AS SELECT {_ID} FROM {_ROWS} GROUP BY ALL HAVING count(*) > 1",
        {"files": files},
    )
    connection.execute(
        f"""CREATE TEMP TABLE dropped AS
        SELECT file_index, file_row_number, {_ID} FROM (
            SELECT o.file_index, o.file_row_number, o.request_id, o.request_id_text,
                row_number() OVER (
                    PARTITION BY o.request_id, o.request_id_text
                    ORDER BY o.file_index, o.file_row_number
                ) AS nth
            FROM {_ROWS} o SEMI JOIN repeated d ON {_SAME_ID}
        ) WHERE nth > 1""",
        {"files": files},
    )
    [(total,)] = connection.execute("SELECT count(*) FROM dropped").fetchall()
    sample = connection.execute(
        f"SELECT {_ID} FROM dropped ORDER BY file_index, file_row_number LIMIT {DUPLICATE_SAMPLE}"
    ).fetchall()
    return int(total), [raw.hex() if raw is not None else text for raw, text in sample]


def _write_in_time_order(
    connection: duckdb.DuckDBPyConnection,
    files: list[str],
    fault_windows: Sequence[FaultWindow],
    into: Path,
) -> int:
    """Write every row not dropped, in time order and labelled, as segments in `into`."""
    columns = ", ".join(f"o.{name}" for name in SCHEMA.names)
    ordered = connection.sql(
        f"""SELECT {columns} FROM {_ROWS} o
        ANTI JOIN dropped d USING (file_index, file_row_number)
        ORDER BY o.ts, o.file_index, o.file_row_number""",
        params={"files": files},
    )
    with SegmentWriter(into) as writer:
        for batch in ordered.to_arrow_reader(BATCH_ROWS):
            writer.append_batch(_labelled(batch, fault_windows))
    return writer.written


def _labelled(batch: pa.RecordBatch, fault_windows: Sequence[FaultWindow]) -> pa.RecordBatch:
    """`batch` in the segment schema, each row's phase the one it lived through (its start
    to its answer, `ts + latency_ms / 1000`, as `Observation.ended` computes it)."""
    starts = batch.column("ts").to_numpy()
    ends = starts + batch.column("latency_ms").to_numpy() / 1000
    phases = pa.array(phases_during(starts, ends, fault_windows), pa.string())
    labelled = batch.set_column(SCHEMA.get_field_index("phase"), "phase", phases)
    return labelled.cast(SCHEMA)


def _as_segments(paths: Sequence[Path], folder: Path) -> list[Path]:
    """`paths` as segments: an older run's JSON lines are rewritten as segments in `folder`
    (streamed through the writer, which holds at most one segment)."""
    segments: list[Path] = []
    for index, path in enumerate(paths):
        if path.suffix == ".parquet":
            segments.append(path)
            continue
        with SegmentWriter(folder, prefix=f"lines-{index:06d}") as writer:
            writer.extend(read_observations(path))
        segments.extend(p for p in segment_files(folder) if p.name.startswith(f"{writer.prefix}-"))
    return segments
