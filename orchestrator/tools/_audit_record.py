"""What an audit record is, how it is made safe for Postgres, and how it is framed on disk.

Validation happens before a record is acknowledged (written or spooled). Text Postgres
refuses, NUL (U+0000) and lone surrogates (U+D800..U+DFFF without a partner), is
*replaced* by U+FFFD rather than rejected: the record is the evidence that a request was
made, so a hostile request must still leave one, and it must never be able to poison the
spool. The replacement shows in the row, so the alteration is visible.

A spooled record is one line: `<crc32 as 8 hex digits> <compact JSON, ASCII only>\\n`.
ASCII JSON never contains a newline, so a line is a record; the checksum tells a whole
line from a torn or corrupted one, which is skipped (and kept in the dead-letter file)
without touching its neighbours.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

# Lone surrogates only exist in str built from escapes (JSON `"\ud800"`); pairs are
# already joined by the JSON decoder, so every surrogate left is a lone one.
_REFUSED_BY_POSTGRES = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"
_REQUIRED_TEXT = ("request_id", "tenant_id", "action")


class InvalidRecord(ValueError):
    """A record that can never be written: wrong shape. Goes to the dead-letter file."""


def postgres_safe(value: Any) -> Any:
    """`value` with every string (keys too) stripped of what Postgres text refuses."""
    if isinstance(value, str):
        return _REFUSED_BY_POSTGRES.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {postgres_safe(str(k)): postgres_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [postgres_safe(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def validated(record: Any) -> dict[str, Any]:
    """A record ready to write: the right shape, and text Postgres accepts."""
    if not isinstance(record, dict):
        raise InvalidRecord(f"expected an object, got {type(record).__name__}")
    for name in _REQUIRED_TEXT:
        if not isinstance(record.get(name), str) or not record[name]:
            raise InvalidRecord(f"field {name!r}: expected a non-empty string")
    if not isinstance(record.get("detail", {}), dict):
        raise InvalidRecord("field 'detail': expected an object")
    at = record.get("at")
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        raise InvalidRecord("field 'at': expected a Unix time in seconds")
    return postgres_safe(record)


def encode_frame(record: dict[str, Any]) -> bytes:
    body = json.dumps(record, separators=(",", ":"), sort_keys=True, ensure_ascii=True).encode()
    return b"%08x %s\n" % (zlib.crc32(body), body)


def decode_frame(line: bytes) -> Any:
    """The value of one whole line; `ValueError` if it is torn, corrupted or not JSON."""
    checksum, _, body = line.partition(b" ")
    if len(checksum) != 8 or not body:
        raise ValueError("not a framed record")
    if int(checksum, 16) != zlib.crc32(body):
        raise ValueError("checksum mismatch: torn or corrupted")
    return json.loads(body)
