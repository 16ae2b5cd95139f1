"""Database errors → `ToolError`, mapped once, at the tools' boundary.

connection lost / refused / no pool slot  → connection_error
deadline (QueryCanceled)                  → timeout
UndefinedColumn / UndefinedTable / ...    → schema_mismatch
InsufficientPrivilege / RLS refusal       → tenant_violation (a SecurityRefusal)
a row the database refused as over the cap → result_too_large (see `_row_size.py`)
the caller's own SQL at fault (a data      → invalid_arguments: not an upstream failure,
  error such as 1/0, a syntax error, ...)     so it never counts toward the breaker
anything else from the database           → upstream_error
"""

from __future__ import annotations

import psycopg
from psycopg import errors as pg
from psycopg_pool import PoolTimeout

from ..contracts import ToolErrorCode
from ..errors import SecurityRefusal, ToolError
from ._row_size import row_over_cap

_SCHEMA_ERRORS = (
    pg.UndefinedColumn,
    pg.UndefinedTable,
    pg.UndefinedFunction,
    pg.UndefinedObject,
    pg.InvalidSchemaName,
)
# SQLSTATE classes 22 (data), 42 and the other ProgrammingErrors, 0A (not supported),
# 54 (statement too complex), and 53400 (the statement needs more temporary-file space
# than the session may use): the statement is wrong, the database is fine.
_CALLER_ERRORS = (pg.DataError, pg.ProgrammingError, pg.NotSupportedError)
# psycopg gives each SQLSTATE a class of its own under the DB-API's: 54001 (statement too
# complex: a deep expression overflows the parser's stack) is an OperationalError, not a
# ProgramLimitExceeded, so classes 54 and 53400 are told by their code
_CALLER_SQLSTATE_CLASSES = ("54",)
_CALLER_SQLSTATES = ("53400",)
_CONNECTION_ERRORS = (
    pg.AdminShutdown,
    pg.CrashShutdown,
    pg.CannotConnectNow,
    pg.ConnectionException,
)


def map_db_error(exc: BaseException, *, tool_id: str) -> ToolError:
    """The one `ToolError` for a database exception; callers `raise ... from exc`."""
    summary = _first_line(exc)
    if isinstance(exc, pg.QueryCanceled):
        return ToolError(ToolErrorCode.TIMEOUT, f"{tool_id}: query cancelled at the deadline")
    if isinstance(exc, _SCHEMA_ERRORS):
        return ToolError(ToolErrorCode.SCHEMA_MISMATCH, f"{tool_id}: {summary}")
    if isinstance(exc, pg.InsufficientPrivilege):
        # Also what Postgres raises when a row-level-security policy refuses a write.
        return SecurityRefusal(ToolErrorCode.TENANT_VIOLATION, f"{tool_id}: {summary}")
    if (row_bytes := row_over_cap(exc)) is not None:
        return ToolError(
            ToolErrorCode.RESULT_TOO_LARGE,
            f"{tool_id}: a row of {row_bytes} bytes is over the result cap; the database "
            "refused to send it",
        )
    if isinstance(exc, _CALLER_ERRORS) or _caller_sqlstate(exc):
        return ToolError(ToolErrorCode.INVALID_ARGUMENTS, f"{tool_id}: {summary}")
    if isinstance(exc, PoolTimeout):
        return ToolError(
            ToolErrorCode.CONNECTION_ERROR,
            f"{tool_id}: no database connection available ({summary})",
        )
    if isinstance(exc, _CONNECTION_ERRORS) or _is_connection_failure(exc):
        return ToolError(ToolErrorCode.CONNECTION_ERROR, f"{tool_id}: {summary}")
    return ToolError(ToolErrorCode.UPSTREAM_ERROR, f"{tool_id}: {summary}")


def _caller_sqlstate(exc: BaseException) -> bool:
    code = getattr(exc, "sqlstate", None) or ""
    return code[:2] in _CALLER_SQLSTATE_CLASSES or code in _CALLER_SQLSTATES


def _is_connection_failure(exc: BaseException) -> bool:
    # A bare OperationalError (no SQLSTATE) is libpq losing or failing the connection.
    return isinstance(exc, psycopg.OperationalError) and getattr(exc, "sqlstate", None) is None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
