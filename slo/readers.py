"""Readers into the observation frame: columnar segments (`read_segments`, pyarrow's Parquet
reader, what runs record), and two JSON-lines readers, measured side by side by
bench/slo_eval.py: DuckDB's `read_json` (the default: it parsed the same file about twice as
fast as polars' `scan_ndjson` on our 2-core machines) and polars' own scan.

All are backends of `frame.read_frame`, the one reader of observation files. All read only
the columns the SLO file needs (and those a report asks for), with a fixed schema, and
stream: DuckDB hands over Arrow batches (pyarrow reads one segment at a time) that become
categorical columns batch by batch, so the strings of the whole file are never held at once.
Every COPY_EVERY batches are copied into one chunk of the frame's own: a batch's numeric
columns pass to polars without a copy and keep DuckDB's Arrow allocations alive, which held
the process at over twice the frame's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .columns import COLUMNS, finished, needed_columns, tool_column, tools_of
from .spec import SloSpec

BATCH_ROWS = 200_000
COPY_EVERY = 10
_DUCK_TYPES = {
    pl.Float64: "DOUBLE",
    pl.Boolean: "BOOLEAN",
    pl.Categorical: "VARCHAR",
    pl.Enum: "VARCHAR",
}


def read_with_polars(
    files: Sequence[Path], spec: SloSpec, extra: Sequence[str] = ()
) -> pl.DataFrame:
    names, tools = needed_columns(spec, extra), tools_of(spec)
    # strings as read; `finished` makes them categorical or enum
    schema: dict[str, pl.DataType] = {name: _as_read(COLUMNS[name][0]) for name in names}
    if tools:
        schema["tool_errors"] = pl.Struct({tool: pl.String() for tool in tools})
    frame = pl.scan_ndjson([str(f) for f in files], schema=schema)
    tool_fields = [pl.col("tool_errors").struct.field(t).alias(tool_column(t)) for t in tools]
    return finished(frame.select([pl.col(n) for n in names] + tool_fields)).collect(
        engine="streaming"
    )


def read_with_duckdb(
    files: Sequence[Path], spec: SloSpec, extra: Sequence[str] = ()
) -> pl.DataFrame:
    names, tools = needed_columns(spec, extra), tools_of(spec)
    types = {name: _DUCK_TYPES[type(COLUMNS[name][0])] for name in names}
    if tools:
        types["tool_errors"] = "STRUCT(" + ", ".join(f"{_ident(t)} VARCHAR" for t in tools) + ")"
    columns = "{" + ", ".join(f"{_text(n)}: {_text(t)}" for n, t in types.items()) + "}"
    selected = [_ident(n) for n in names] + [
        f"tool_errors.{_ident(t)} AS {_ident(tool_column(t))}" for t in tools
    ]
    source = (
        f"read_json([{', '.join(_text(str(f)) for f in files)}],"
        f" format = 'newline_delimited', columns = {columns})"
    )
    return _streamed(f"SELECT {', '.join(selected)} FROM {source}", names, tools)


def read_segments(files: Sequence[Path], spec: SloSpec, extra: Sequence[str] = ()) -> pl.DataFrame:
    """Columnar segments (`vocabulary.segment_format`): the same frame, read with pyarrow a
    segment at a time, only the columns named. Labels stay dictionaries from the file to the
    frame's categoricals, never a string a row: measured side by side on 5M observations of
    bench/soak_scale.py, this took about 0.6 of the time of DuckDB's `read_parquet` (which
    hands over a string a row) with a smaller peak. A tool's error code is a lookup in the
    `tool_errors` map."""
    names, tools = needed_columns(spec, extra), tools_of(spec)
    if not files:
        return _empty(names, tools)
    labels = [n for n in names if isinstance(COLUMNS[n][0], pl.Categorical | pl.Enum)]
    read = [*names, "tool_errors"] if tools else names
    parts, pending = [], []
    for path in files:
        table = pq.read_table(path, columns=read, read_dictionary=labels)
        for tool in tools:
            code = pc.map_lookup(table["tool_errors"], pa.scalar(tool), "first")
            table = table.append_column(tool_column(tool), code)
        table = table.drop_columns(["tool_errors"]) if tools else table
        pending.append(finished(pl.from_arrow(table)))
        if len(pending) == COPY_EVERY:
            parts.append(pl.concat(pending, rechunk=True))
            pending = []
    parts += [pl.concat(pending, rechunk=True)] if pending else []
    return pl.concat(parts, rechunk=False)  # type: ignore[arg-type]


def _streamed(query: str, names: Sequence[str], tools: Sequence[str]) -> pl.DataFrame:
    with duckdb.connect(config={"memory_limit": "128MB"}) as connection:
        connection.execute("SET enable_progress_bar = false")
        batches = connection.sql(query).to_arrow_reader(BATCH_ROWS)
        parts, pending = [], []
        for batch in batches:
            pending.append(finished(pl.from_arrow(batch)))  # type: ignore[arg-type]
            if len(pending) == COPY_EVERY:
                parts.append(pl.concat(pending, rechunk=True))
                pending = []
        parts += [pl.concat(pending, rechunk=True)] if pending else []
    if not parts:
        return _empty(names, tools)
    return pl.concat(parts, rechunk=False)  # type: ignore[arg-type]


def _empty(names: Sequence[str], tools: Sequence[str]) -> pl.DataFrame:
    empty = {n: COLUMNS[n][0] for n in names} | {tool_column(t): pl.String() for t in tools}
    return finished(pl.DataFrame(schema=empty))  # type: ignore[return-value]


def _as_read(dtype: pl.DataType) -> pl.DataType:
    return pl.String() if isinstance(dtype, pl.Categorical | pl.Enum) else dtype


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'
