"""SQL identifiers in fault models: validated as data, quoted when used."""

from __future__ import annotations

from typing import Annotated

from psycopg import sql
from pydantic import StringConstraints

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")]
"""A plain, unqualified SQL name such as a column."""

TableName = Annotated[
    str,
    StringConstraints(pattern=r"^([A-Za-z_][A-Za-z0-9_$]{0,62}\.)?[A-Za-z_][A-Za-z0-9_$]{0,62}$"),
]
"""A table, optionally schema-qualified: `alerts` or `ops.alerts`."""


def table_sql(table: str) -> sql.Composable:
    return sql.SQL(".").join(sql.Identifier(part) for part in table.split("."))
