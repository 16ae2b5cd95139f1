"""The tables and columns of the ops schema, read from the schema Gauntlet installs.

A schema fault (`rename_column`, `drop_column`, `table_lock`) only tests something when it
names a column that exists; these pairs come from `chaos/schema/ops.sql` itself, so a
column added there joins the space of experiments.
"""

from __future__ import annotations

import re

from chaos.schema import SCHEMA_DIR

__all__ = ["OPS_COLUMNS", "ops_columns"]

_TABLE = re.compile(r"^CREATE TABLE (\w+\.\w+) \($")
_COLUMN = re.compile(r"^\s+(\w+)\s+\w+")
_NOT_COLUMNS = {"PRIMARY", "FOREIGN", "UNIQUE", "CHECK", "CONSTRAINT"}


def ops_columns(text: str) -> tuple[tuple[str, str], ...]:
    """(table, column) pairs of every `CREATE TABLE` in `text`, in the order written."""
    pairs: list[tuple[str, str]] = []
    table = None
    for line in text.splitlines():
        if (opened := _TABLE.match(line)) is not None:
            table = opened.group(1)
        elif line.startswith(")"):
            table = None
        elif table is not None and (column := _COLUMN.match(line)) is not None:
            pairs.extend([(table, column.group(1))] if column.group(1) not in _NOT_COLUMNS else [])
    return tuple(pairs)


OPS_COLUMNS = ops_columns((SCHEMA_DIR / "ops.sql").read_text(encoding="utf-8"))
