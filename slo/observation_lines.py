"""Writing observations fast: one orjson call per record, no model built on the hot path.

A load worker or a scenario that writes thousands of records a second builds a plain mapping
with the Observation's field names and hands it here; the evaluator validates whole files at
once (see `frame`). `Observation` records are accepted too, through their compiled writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO

import orjson

from vocabulary import Observation

_OPTIONS = orjson.OPT_APPEND_NEWLINE


def observation_line(record: Mapping[str, object] | Observation) -> bytes:
    """One JSON line (newline included) for a record with the Observation's fields."""
    if isinstance(record, Observation):
        return record.to_json().encode() + b"\n"
    return orjson.dumps(record, option=_OPTIONS)


def write_observation_lines(
    stream: IO[bytes], records: Iterable[Mapping[str, object] | Observation]
) -> int:
    """Append records to a binary stream; returns how many were written."""
    count = 0
    for record in records:
        stream.write(observation_line(record))
        count += 1
    return count
