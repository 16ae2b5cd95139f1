"""Observations as a compact columnar frame: segment folders or files (what runs record),
JSON-lines files, or records in memory.

The files are read by one of `readers` with a fixed schema, only the columns the SLO file
needs; segments always with `read_segments`, JSON lines with the reader asked for.
Validation happens on the frame, not per record. When a reader refuses a JSON-lines file, or
the frame shows an invalid record, the files are read again line by line with the record's
own validator, only to name the first bad line.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl
import pyarrow

from vocabulary import Observation, ObservationFileError, read_observations
from vocabulary.segment_writer import SUFFIX, segment_files

from .columns import COLUMNS, finished, invalid_rows, tool_column, tools_of
from .readers import read_segments, read_with_duckdb, read_with_polars
from .spec import SloSpec

Paths = str | Path | Sequence[str | Path]
Reader = Literal["duckdb", "polars"]
READERS = {"duckdb": read_with_duckdb, "polars": read_with_polars}


def expand(paths: Paths) -> list[Path]:
    """Files named by a path, a glob, a folder of segments, or a list of them, in a stable
    order."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    files: list[Path] = []
    for item in items:
        text = str(item)
        if glob.has_magic(text):
            matched = sorted(glob.glob(text))
            if not matched:
                raise ObservationFileError(f"{text}: no observations file matches")
            files += [Path(m) for m in matched]
        elif Path(text).is_dir():
            files += _folder_files(Path(text))
        elif not Path(text).is_file():
            raise ObservationFileError(f"{text}: observations file not found")
        else:
            files.append(Path(text))
    return files


def _folder_files(folder: Path) -> list[Path]:
    """A folder's segments, or else its JSON-lines files."""
    found = segment_files(folder) or sorted(folder.glob("*.jsonl"))
    if not found:
        raise ObservationFileError(f"{folder}: no observation segments (*{SUFFIX}) or *.jsonl")
    return found


def is_segment(path: Path) -> bool:
    return path.suffix == SUFFIX


def read_frame(
    paths: Paths, spec: SloSpec, reader: Reader = "duckdb", *, extra: Sequence[str] = ()
) -> pl.DataFrame:
    """Every observation of the files, as a frame of the columns the SLO file reads and the
    `extra` ones; a bad line raises ObservationFileError naming the file and the line.

    This is the one reader of observation files: the evaluation and the reports use it."""
    files = expand(paths)
    segments = [f for f in files if is_segment(f)]
    lines = [f for f in files if not is_segment(f)]
    frames = []
    if segments or not lines:
        frames.append(_read_segments(segments, spec, extra))
    if lines:
        frames.append(_read_lines(lines, spec, reader, extra))
    return frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")


def _read_segments(files: Sequence[Path], spec: SloSpec, extra: Sequence[str]) -> pl.DataFrame:
    try:
        frame = read_segments(files, spec, extra)
    except (pl.exceptions.PolarsError, duckdb.Error, pyarrow.ArrowException, OSError) as exc:
        reason = " ".join(str(exc).split())
        raise ObservationFileError(
            f"{files[0]}: cannot read observation segments ({reason})"
        ) from None
    if invalid_rows(frame):  # a segment written by another tool: ours are valid by type
        raise ObservationFileError(
            f"{files[0]}: an observation lacks a required field or has a negative latency"
        )
    return frame


def _read_lines(
    files: Sequence[Path], spec: SloSpec, reader: Reader, extra: Sequence[str]
) -> pl.DataFrame:
    try:
        frame = READERS[reader](files, spec, extra)
    # DuckDB's errors may surface from its Arrow stream, as Arrow's (OSError, ArrowException)
    except (pl.exceptions.PolarsError, duckdb.Error, pyarrow.ArrowException, OSError) as exc:
        _locate_bad_line(files)
        # every record is valid one by one, yet the reader refused the file (e.g. a number
        # written as a string): say what the reader said, on one line
        reason = " ".join(str(exc).split())
        raise ObservationFileError(f"{files[0]}: cannot read observations ({reason})") from None
    if invalid_rows(frame):
        _locate_bad_line(files)
        raise ObservationFileError(f"{files[0]}: an observation is invalid")
    return frame


def _validated(files: Sequence[Path]) -> Iterable[Observation]:
    for path in files:
        yield from read_observations(path)


def _locate_bad_line(files: Sequence[Path]) -> None:
    """Raise the record validator's one-line error for the first bad line, if any."""
    for _ in _validated(files):
        pass


def frame_of(observations: Iterable[Observation], spec: SloSpec) -> pl.DataFrame:
    """Records already in memory (a load run's merged workers, a test's stream), as a frame."""
    tools = tools_of(spec)
    columns: dict[str, list[object]] = {name: [] for name in COLUMNS}
    tool_columns: dict[str, list[object]] = {tool: [] for tool in tools}
    for obs in observations:
        for name, values in columns.items():
            values.append(getattr(obs, name))
        for tool, values in tool_columns.items():
            values.append(obs.tool_errors.get(tool))
    data = [pl.Series(name, values, dtype=COLUMNS[name][0]) for name, values in columns.items()]
    data += [
        pl.Series(tool_column(tool), values, dtype=pl.String())
        for tool, values in tool_columns.items()
    ]
    return finished(pl.DataFrame(data))  # type: ignore[return-value]
