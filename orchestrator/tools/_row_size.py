"""A row over the result cap is refused by the database, before it is sent.

libpq reads a whole row into memory before the client sees any of it, so a cap counted
as rows arrive comes too late for one huge row: `SELECT repeat('x', 100000000)` grew the
service by ~470 MiB before its 10 MB cap was checked. So the statement is wrapped and
Postgres measures each row (`pg_column_size` of the whole row) and fails the statement
instead of sending a row over the cap. It fails with a cast of a text that carries a
marker (a statement cannot raise an error of its own), which `row_over_cap` recognises.
"""

from __future__ import annotations

import re

from psycopg import errors as pg

_ALIAS = "sized_rows"
_MARKER = "gauntlet_row_over_cap"
_OVER = re.compile(rf"{_MARKER} (\d+)")


def size_guarded(statement: str, max_bytes: int) -> str:
    """`statement` whose rows Postgres refuses past `max_bytes` each.

    The statement goes on lines of its own, so a trailing `--` comment ends there. The
    failing cast sits in the ELSE branch, which Postgres evaluates only for such a row.
    """
    size = f"pg_column_size({_ALIAS}.*)"
    return (
        f"SELECT * FROM (\n{statement}\n) AS {_ALIAS}\n"
        f"WHERE CASE WHEN {size} <= {int(max_bytes)} THEN TRUE "
        f"ELSE CAST('{_MARKER} ' || {size} AS boolean) END"
    )


def row_over_cap(exc: BaseException) -> int | None:
    """The size of the row the database refused, when `exc` is that refusal."""
    if not isinstance(exc, pg.InvalidTextRepresentation):
        return None
    found = _OVER.search(str(exc))
    return int(found.group(1)) if found else None
