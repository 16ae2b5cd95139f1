"""Recording observations while a run goes: rotated segments in one folder.

    append(observation) ─► batch (BATCH_ROWS records) ─► Arrow batch of the open segment
    the open segment reaches ROWS_PER_SEGMENT, or SECONDS_PER_SEGMENT have passed since it
    opened ─► written whole as `<prefix>-<seq>.parquet` (see `segment_format.write_segment`)

The writer holds at most one segment (a few MB of Arrow columns, never a Python object
per request), so a run's memory stays flat however long it lasts, and a crash loses at most
the open segment: every closed one is a complete file. Readers take `*.parquet` of the
folder (`segment_files`); a file being written has another name until it is whole.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

import pyarrow as pa

from .observation import Observation
from .segment_format import SCHEMA, to_batch, write_segment

__all__ = ["SegmentWriter", "segment_files"]

ROWS_PER_SEGMENT = 100_000
SECONDS_PER_SEGMENT = 60.0
BATCH_ROWS = 4_096
SUFFIX = ".parquet"


def segment_files(folder: Path) -> list[Path]:
    """The complete segments of `folder`, in the order they were written (by prefix)."""
    return sorted(path for path in folder.glob(f"*{SUFFIX}") if not path.name.startswith("."))


class SegmentWriter:
    def __init__(
        self,
        folder: Path,
        prefix: str = "observations",
        *,
        rows_per_segment: int = ROWS_PER_SEGMENT,
        seconds_per_segment: float = SECONDS_PER_SEGMENT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = folder
        self.prefix = prefix
        self.rows_per_segment = rows_per_segment
        self.seconds_per_segment = seconds_per_segment
        self._clock = clock
        folder.mkdir(parents=True, exist_ok=True)
        self._next_seq = _last_seq(folder, prefix) + 1  # a folder appended to keeps its own
        self._pending: list[Observation] = []
        self._batches: list[pa.RecordBatch] = []
        self._rows = 0  # in the open segment, pending included
        self._opened = clock()
        self.written = 0  # observations in closed segments

    def append(self, observation: Observation) -> None:
        if not self._rows:
            self._opened = self._clock()
        self._pending.append(observation)
        self._rows += 1
        if len(self._pending) >= BATCH_ROWS:
            self._batches.append(to_batch(self._pending))
            self._pending = []
        if self._due():
            self.rotate()

    def extend(self, observations: Iterable[Observation]) -> None:
        for observation in observations:
            self.append(observation)

    def append_batch(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Rows already in the segment schema (a merge, a generator): same rotation rules."""
        if not self._rows:
            self._opened = self._clock()
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        offset = 0
        while offset < table.num_rows:
            room = self.rows_per_segment - self._rows
            for piece in table.slice(offset, room).to_batches():
                self._batches.append(piece)
            taken = min(room, table.num_rows - offset)
            self._rows += taken
            offset += taken
            if self._due():
                self.rotate()

    def rotate(self) -> Path | None:
        """Close the open segment (if it holds anything); returns its path."""
        if self._pending:
            self._batches.append(to_batch(self._pending))
            self._pending = []
        if not self._rows:
            return None
        table = pa.Table.from_batches(self._batches, schema=SCHEMA).combine_chunks()
        path = self.folder / f"{self.prefix}-{self._next_seq:06d}{SUFFIX}"
        write_segment(path, table)
        self._next_seq += 1
        self.written += self._rows
        self._batches, self._rows = [], 0
        return path

    def close(self) -> None:
        self.rotate()

    def __enter__(self) -> SegmentWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _due(self) -> bool:
        return (
            self._rows >= self.rows_per_segment
            or self._clock() - self._opened >= self.seconds_per_segment
        )


def _last_seq(folder: Path, prefix: str) -> int:
    pattern = re.compile(re.escape(prefix) + r"-(\d+)" + re.escape(SUFFIX))
    found = [int(m.group(1)) for p in folder.iterdir() if (m := pattern.fullmatch(p.name))]
    return max(found, default=0)
