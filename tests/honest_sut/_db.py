"""Postgres access: pools, the per-tenant read transaction, and the one error mapping.

Errors from asyncpg and the network are mapped here, once, to the contract's codes:

    CallFailed(code)
      timeout            the call's deadline, or Postgres cancelled the statement (57014)
      schema_mismatch    an undefined column, table, function, object or schema
      tenant_violation   insufficient privilege (42501)
      invalid_arguments  data errors, other class 42, 0A and 54, or an argument asyncpg
                         could not encode
      connection_error   refused, lost, reset, too many connections, shutting down
      upstream_error     anything else from Postgres
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

SCHEMA_STATES = frozenset({"42703", "42P01", "42883", "42704", "3F000"})
CONNECTION_STATES = ("08", "57P", "53300", "53000")
CALLER_CLASSES = ("22", "42", "0A", "54")
log = logging.getLogger("honest.db")


class CallFailed(Exception):
    """A call's failure, already carrying its contract code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def code_for(exc: BaseException) -> str:
    """The contract's code for a failure raised while talking to Postgres."""
    if isinstance(exc, CallFailed):
        return exc.code
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, UnicodeError):
        return "invalid_arguments"
    state = getattr(exc, "sqlstate", None)
    if isinstance(exc, asyncpg.PostgresError) and state:
        if state == "57014":
            return "timeout"
        if state in SCHEMA_STATES:
            return "schema_mismatch"
        if state == "42501":
            return "tenant_violation"
        if state.startswith(CONNECTION_STATES):
            return "connection_error"
        if state.startswith(CALLER_CLASSES):
            return "invalid_arguments"
        return "upstream_error"
    if isinstance(exc, asyncpg.DataError | asyncpg.exceptions.InterfaceWarning):
        return "invalid_arguments"
    # asyncpg's own protocol errors (InternalClientError: ProtocolError and kin) come from a
    # connection that broke mid-conversation, as a peer that half-closes leaves it
    lost = (OSError, asyncpg.InterfaceError, asyncpg.InternalClientError, EOFError)
    if isinstance(exc, lost):
        return "connection_error"
    if isinstance(exc, asyncpg.PostgresError):
        return "upstream_error"
    log.warning("unmapped failure %s: %s", type(exc).__name__, exc)
    return "internal_error"


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote_ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """asyncpg's default reset calls pg_advisory_unlock_all(), whose EXECUTE is revoked;
    every transaction here ends with COMMIT or ROLLBACK, and SET LOCAL leaves nothing."""


async def open_pool(dsn: str, size: int) -> asyncpg.Pool:
    """A pool whose connections are all opened up front, so that a database refusing new
    connections later does not starve the calls (scenario 13)."""
    return await asyncpg.create_pool(
        dsn,
        min_size=size,
        max_size=size,
        reset=_keep_session,
        statement_cache_size=0,
        command_timeout=None,
        timeout=10,
        max_inactive_connection_lifetime=0,
    )


def _session_sql(tenant: str, budget: float, switch_role: bool, read_only: bool) -> str:
    statement_ms = max(int((budget - 0.05) * 1000), 1)
    parts = ["BEGIN READ ONLY" if read_only else "BEGIN"]
    if switch_role:
        parts.append(f"SET LOCAL ROLE {_quote_ident('gauntlet_tenant_' + tenant)}")
    parts += [
        f"SET LOCAL app.tenant_id = {_quote_literal(tenant)}",
        f"SET LOCAL statement_timeout = {statement_ms}",
        f"SET LOCAL idle_in_transaction_session_timeout = {statement_ms + 1000}",
    ]
    return "; ".join(parts)


@asynccontextmanager
async def tenant_transaction(
    pool: asyncpg.Pool, tenant: str, budget: float, *, switch_role: bool = True
) -> AsyncIterator[asyncpg.Connection]:
    """One transaction as `tenant`. A connection that failed for any reason other than its
    own statement is closed, never handed to the next caller in an unknown state."""
    conn = await pool.acquire()
    try:
        await conn.execute(_session_sql(tenant, budget, switch_role, read_only=switch_role))
        yield conn
        await conn.execute("COMMIT")
    except asyncpg.PostgresError as exc:
        if code_for(exc) in ("connection_error", "timeout") or not await _rolled_back(conn):
            conn.terminate()
        raise
    except BaseException:
        conn.terminate()
        raise
    finally:
        await pool.release(conn)


async def _rolled_back(conn: asyncpg.Connection) -> bool:
    try:
        async with asyncio.timeout(0.5):
            await conn.execute("ROLLBACK")
        return True
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
        return False
