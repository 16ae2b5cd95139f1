"""Observations as compressed columnar segments: one Parquet file per segment.

A JSON line spends ~200 bytes on one observation; a segment spends ~26 (measured by
bench/soak_scale.py), most of them on what no encoding can shrink:

    request_id     16 bytes: a uuid4 hex id stored as its 16 raw bytes (FIXED_LEN_BYTE_ARRAY)
                   (any other id, rare, goes to `request_id_text` as written)
    latency_ms     ~7 bytes: a measured float64 is noise below its first digits
    ts             ~2 bytes: float64 split by byte stream, whose high bytes barely change
    labels         under a byte together: source, scenario, phase, tenant, intent, status,
                   tool error codes and `extra` are dictionary-encoded then compressed

Every value is kept exactly (floats as float64, `extra` as JSON text), so a segment reads
back as the very observations written (`observations_of`). SQL engines read the columns
directly: `tool_errors` is a MAP of tool id to error code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pydantic_core

from .observation import Observation

__all__ = ["SCHEMA", "observations_of", "to_batch", "write_segment"]

SCHEMA = pa.schema(
    [
        pa.field("ts", pa.float64(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("scenario", pa.string(), nullable=False),
        pa.field("phase", pa.string(), nullable=False),
        pa.field("request_id", pa.binary(16)),  # null when the id is not uuid4 hex
        pa.field("request_id_text", pa.string()),  # that id, as written
        pa.field("tenant", pa.string(), nullable=False),
        pa.field("intent", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("latency_ms", pa.float64(), nullable=False),
        pa.field("tool_errors", pa.map_(pa.string(), pa.string()), nullable=False),
        pa.field("fallback_used", pa.bool_(), nullable=False),
        pa.field("extra", pa.string()),  # JSON text; null when empty
    ]
)
_FLOATS = ("ts", "latency_ms")
_RAW = (*_FLOATS, "request_id")  # nothing repeats: a dictionary would only cost
_DICTIONARY = [name for name in SCHEMA.names if name not in _RAW and name != "tool_errors"] + [
    "tool_errors.key_value.key",
    "tool_errors.key_value.value",
]
COMPRESSION = "zstd"
_HEX_ID = re.compile(r"[0-9a-f]{32}")


def to_batch(observations: Sequence[Observation]) -> pa.RecordBatch:
    """The observations as one Arrow batch of the segment schema."""
    ids = [_id_bytes(o.request_id) for o in observations]
    columns = {
        "ts": [o.ts for o in observations],
        "source": [o.source for o in observations],
        "scenario": [o.scenario for o in observations],
        "phase": [o.phase.value for o in observations],
        "request_id": ids,
        "request_id_text": [
            None if raw is not None else o.request_id
            for raw, o in zip(ids, observations, strict=True)
        ],
        "tenant": [o.tenant for o in observations],
        "intent": [o.intent for o in observations],
        "status": [o.status for o in observations],
        "latency_ms": [o.latency_ms for o in observations],
        "tool_errors": [list(o.tool_errors.items()) for o in observations],
        "fallback_used": [o.fallback_used for o in observations],
        "extra": [_extra_text(o.extra) for o in observations],
    }
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMA)


def write_segment(path: Path, table: pa.Table) -> None:
    """Write `table` as the segment `path`, all or nothing: it is written beside, flushed to
    disk and renamed, so a reader (or a crash) never meets half a segment."""
    partial = path.with_name(f".{path.name}.partial")
    pq.write_table(
        table,
        partial,
        compression=COMPRESSION,
        use_dictionary=_DICTIONARY,
        column_encoding=dict.fromkeys(_FLOATS, "BYTE_STREAM_SPLIT"),
        row_group_size=max(table.num_rows, 1),  # one row group: one dictionary per column
    )
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    os.replace(partial, path)


def observations_of(path: Path, batch_rows: int = 65_536) -> Iterator[Observation]:
    """The observations of one segment, in the order written."""
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
        for row in batch.to_pylist():
            raw, text = row.pop("request_id"), row.pop("request_id_text")
            row["request_id"] = raw.hex() if raw is not None else text
            row["tool_errors"] = dict(row["tool_errors"])
            extra = row["extra"]
            row["extra"] = pydantic_core.from_json(extra) if extra is not None else {}
            yield Observation(**row)


def _id_bytes(request_id: str) -> bytes | None:
    return bytes.fromhex(request_id) if _HEX_ID.fullmatch(request_id) else None


def _extra_text(extra: dict[str, object]) -> str | None:
    return pydantic_core.to_json(extra).decode() if extra else None
