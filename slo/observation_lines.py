"""Writing observations fast: one orjson call per record, no pydantic model on the hot path.

A load worker or a scenario that writes thousands of records a second builds a plain mapping
with the Observation's field names and hands it here; the evaluator validates whole files at
once (see `frame`). `Observation` models are accepted too, serialised from their fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO

import orjson
from pydantic import BaseModel

_OPTIONS = orjson.OPT_APPEND_NEWLINE


def observation_line(record: Mapping[str, object] | BaseModel) -> bytes:
    """One JSON line (newline included) for a record with the Observation's fields."""
    fields = record.__dict__ if isinstance(record, BaseModel) else record
    return orjson.dumps(fields, option=_OPTIONS)


def write_observation_lines(
    stream: IO[bytes], records: Iterable[Mapping[str, object] | BaseModel]
) -> int:
    """Append records to a binary stream; returns how many were written."""
    count = 0
    for record in records:
        stream.write(observation_line(record))
        count += 1
    return count
