"""Database faults on the schema: rename or drop a column, hold a table lock.

`drop_column` renames the column aside (to `gauntlet_dropped_<column>`) instead of
dropping it and restoring a saved copy. To a query the column is just as gone, but the
rollback is one atomic, lossless statement: no type, default, constraint, index, policy or
column position to rebuild, and rows the application writes during the fault keep their
values (a restored copy would miss them, and a NOT NULL column could not be re-added).
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Literal

import psycopg
from psycopg import sql

from .base import Fault, register_fault
from .sql_names import Identifier, TableName, table_sql
from .target import FaultTarget

LOCK_WAIT = "10s"
"""How long a schema change waits for the table's lock before giving up."""


@register_fault
class RenameColumnFault(Fault):
    """Rename `table.column` to `new_name`; renamed back on rollback."""

    kind: Literal["rename_column"] = "rename_column"
    table: TableName
    column: Identifier
    new_name: Identifier

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        undo.callback(_rename_back, target.admin_dsn, self.table, self.new_name, self.column)
        _rename(target.admin_dsn, self.table, self.column, self.new_name)


@register_fault
class DropColumnFault(Fault):
    """Make `table.column` disappear (renamed aside, see the module docstring)."""

    kind: Literal["drop_column"] = "drop_column"
    table: TableName
    column: Identifier

    @property
    def aside_name(self) -> str:
        return f"gauntlet_dropped_{self.column}"[:63]

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        undo.callback(_rename_back, target.admin_dsn, self.table, self.aside_name, self.column)
        _rename(target.admin_dsn, self.table, self.column, self.aside_name)


@register_fault
class TableLockFault(Fault):
    """Hold an ACCESS EXCLUSIVE lock on `table` in an open transaction; released on rollback.

    Every query on the table, reads included, waits while the fault is active.
    """

    kind: Literal["table_lock"] = "table_lock"
    table: TableName

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        conn = psycopg.connect(target.admin_dsn, connect_timeout=5)
        # Closing without commit ends the transaction, which releases the lock.
        undo.callback(conn.close)
        conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_WAIT)))
        conn.execute(
            sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(table_sql(self.table))
        )


def _rename(dsn: str, table: str, old: str, new: str) -> None:
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_WAIT)))
        conn.execute(
            sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(
                table_sql(table), sql.Identifier(old), sql.Identifier(new)
            )
        )


def _rename_back(dsn: str, table: str, current: str, original: str) -> None:
    """Undo a rename, judged by the catalog so it is safe to run whatever happened before.

    Nothing is done unless `current` exists and `original` does not: the rename may never
    have happened, or may already have been undone.
    """
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        present = {
            row[0]
            for row in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s)"
                " AND attnum > 0 AND NOT attisdropped AND attname = ANY(%s)",
                (_regclass_text(table), [current, original]),
            )
        }
        if current in present and original not in present:
            conn.execute(
                sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(
                    table_sql(table), sql.Identifier(current), sql.Identifier(original)
                )
            )


def _regclass_text(table: str) -> str:
    # to_regclass() parses its argument as SQL, so quote each part as `Identifier` would.
    return ".".join('"' + part.replace('"', '""') + '"' for part in table.split("."))
