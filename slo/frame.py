"""Observations as a compact columnar frame: JSON lines scanned by polars, or records in memory.

The scan reads only the columns the SLO file needs, with a fixed schema, on polars' streaming
engine, into categorical columns (a few bytes per row). Validation happens on the frame, not
per record. When polars refuses a file, or the frame shows an invalid record, the files are
read again line by line with the record's own validator, only to name the first bad line.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from .observation import Observation, ObservationFileError, Phase, read_observations
from .spec import SloSpec

PHASES = [phase.value for phase in Phase]
Paths = str | Path | Sequence[str | Path]

# column -> (type in the frame, default when the record omits it; None = required)
_COLUMNS: dict[str, tuple[pl.DataType, object]] = {
    "ts": (pl.Float64(), None),
    "source": (pl.Categorical(), "scenario"),
    "scenario": (pl.Categorical(), None),
    "phase": (pl.Categorical(), Phase.BASELINE.value),
    "tenant": (pl.Categorical(), ""),
    "intent": (pl.Categorical(), ""),
    "status": (pl.Categorical(), None),
    "latency_ms": (pl.Float64(), None),
    "fallback_used": (pl.Boolean(), False),
}


def tool_column(tool: str) -> str:
    return f"tool_errors.{tool}"


def tools_of(spec: SloSpec) -> list[str]:
    return sorted({o.tool for o in spec.objectives if o.tool})


def expand(paths: Paths) -> list[Path]:
    """Files named by a path, a glob, or a list of them, in a stable order."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    files: list[Path] = []
    for item in items:
        text = str(item)
        if glob.has_magic(text):
            matched = sorted(glob.glob(text))
            if not matched:
                raise ObservationFileError(f"{text}: no observations file matches")
            files += [Path(m) for m in matched]
        elif not Path(text).is_file():
            raise ObservationFileError(f"{text}: observations file not found")
        else:
            files.append(Path(text))
    return files


def scan_observations(files: Sequence[Path], spec: SloSpec) -> pl.LazyFrame:
    """A lazy scan of JSON-lines files, with the columns `spec` needs and their defaults."""
    schema: dict[str, pl.DataType] = {name: dtype for name, (dtype, _) in _COLUMNS.items()}
    tools = tools_of(spec)
    if tools:
        schema["tool_errors"] = pl.Struct({tool: pl.String() for tool in tools})
    frame = pl.scan_ndjson([str(f) for f in files], schema=schema, low_memory=True)
    columns = [
        pl.col(name) if default is None else pl.col(name).fill_null(default)
        for name, (_, default) in _COLUMNS.items()
    ]
    columns += [pl.col("tool_errors").struct.field(t).alias(tool_column(t)) for t in tools]
    return frame.select(columns)


def read_frame(paths: Paths, spec: SloSpec) -> pl.DataFrame:
    """Every observation of the files, as a frame; a bad line raises ObservationFileError
    naming the file and the line."""
    files = expand(paths)
    try:
        frame = scan_observations(files, spec).collect(engine="streaming")
    except pl.exceptions.PolarsError as exc:
        _locate_bad_line(files)
        # the record validator accepts what polars refused (e.g. a number written as a
        # string): evaluate from the validated records instead
        reason = str(exc).splitlines()[0]
        try:
            return frame_of(_validated(files), spec)
        except ObservationFileError:
            raise
        except Exception:  # noqa: BLE001 - report polars' own reason, on one line
            raise ObservationFileError(f"{files[0]}: cannot read observations ({reason})") from None
    if _invalid_rows(frame):
        _locate_bad_line(files)
        raise ObservationFileError(f"{files[0]}: an observation is invalid")
    return frame


def _invalid_rows(frame: pl.DataFrame) -> int:
    required = [name for name, (_, default) in _COLUMNS.items() if default is None]
    invalid = pl.any_horizontal([pl.col(name).is_null() for name in required])
    invalid = invalid | (pl.col("latency_ms") < 0) | ~pl.col("phase").cast(pl.String).is_in(PHASES)
    return int(frame.select(invalid.sum()).item())


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
    columns: dict[str, list[object]] = {name: [] for name in _COLUMNS}
    tool_columns: dict[str, list[object]] = {tool: [] for tool in tools}
    for obs in observations:
        for name in _COLUMNS:
            columns[name].append(getattr(obs, name))
        for tool, values in tool_columns.items():
            values.append(obs.tool_errors.get(tool))
    data = {name: pl.Series(name, values, dtype=_COLUMNS[name][0]) for name, values in columns.items()}
    data |= {
        tool_column(tool): pl.Series(tool_column(tool), values, dtype=pl.String())
        for tool, values in tool_columns.items()
    }
    return pl.DataFrame(data)
