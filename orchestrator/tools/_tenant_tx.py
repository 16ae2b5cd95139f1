"""What every tool does first inside its transaction, and how results leave it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg_pool import PoolTimeout

from contract import tenant_role

from ..contracts import ToolErrorCode
from ..errors import ToolError
from ._db_errors import map_db_error
from ._guarded_pool import GuardedPool

T = TypeVar("T")
# Let the server give up a little before we do, so a slow query usually ends with a
# clean QueryCanceled (connection kept) rather than a severed socket.
_SERVER_HEADROOM_SECONDS = 0.05


# How long a transaction may sit idle past its own deadline before the server ends it
# (a stalled client must not hold locks or a snapshot for long).
_IDLE_IN_TRANSACTION_GRACE_MS = 1000

# The scope as one string of statements, a template filled in per call: composing it
# statement by statement cost twice as much CPU, four times per request.
_READ_SCOPE = sql.SQL(
    "SET TRANSACTION READ ONLY; SET LOCAL ROLE {role}; SET LOCAL app.tenant_id = {tenant}; "
    "SET LOCAL statement_timeout = {timeout}; "
    "SET LOCAL idle_in_transaction_session_timeout = {idle}"
)
_WRITE_SCOPE = sql.SQL(
    "SET LOCAL app.tenant_id = {tenant}; SET LOCAL statement_timeout = {timeout}; "
    "SET LOCAL idle_in_transaction_session_timeout = {idle}"
)
_BEGIN = sql.SQL("BEGIN; ")
_COMMIT = sql.SQL("COMMIT")
_ROLLBACK = sql.SQL("ROLLBACK")
_CONNECTION_OK = psycopg.pq.ConnStatus.OK
_IN_TRANSACTION = (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.INERROR)


async def begin_tenant_scope(
    conn: psycopg.AsyncConnection[Any], tenant_id: str, budget_seconds: float, *, read_only: bool
) -> None:
    """Inside an open transaction: tenant, timeouts and, to read, the tenant's own role.

    A read-only scope also switches to the tenant's role (SET LOCAL ROLE), so what the
    statement may see and do is that role's: its rows only, other sessions' query text
    hidden. A write scope (the audit) keeps its login role's narrow grants.

    Composed client-side into one round trip (simple protocol). SET LOCAL lasts until the
    transaction ends, so a pooled connection never carries a tenant to its next user; it
    is used instead of `set_config()`, whose EXECUTE the schema revokes so that SQL cannot
    re-point its own tenant mid-query.
    """
    await conn.execute(_scope(tenant_id, budget_seconds, read_only=read_only))


@asynccontextmanager
async def tenant_transaction(
    conn: psycopg.AsyncConnection[Any], tenant_id: str, budget_seconds: float, *, read_only: bool
) -> AsyncIterator[None]:
    """A transaction with the tenant scope of `begin_tenant_scope`, in two round trips.

    BEGIN and the scope go as one message (`_scoped_transaction`). Then, in pipeline mode,
    the statements the block executes and COMMIT go out together, and their results come
    back at the one Sync sent as the block ends: read them after the block (a read inside
    it waits for the server, a round trip of its own). Not for `cursor.stream()`, which
    pipeline mode does not allow: see `streamed_tenant_transaction`.

    The scope is not pipelined too, although that would save a round trip: in pipeline
    mode each statement is a message, a send and a poll of its own, which cost the
    service more CPU (and, on a busy machine, more time) than the round trip they save.
    A statement the server refuses makes it skip the rest up to the Sync, COMMIT included.
    """
    scoped = _scoped_transaction(conn, tenant_id, budget_seconds, read_only=read_only)
    async with scoped, conn.pipeline():
        yield
        await conn.execute(_COMMIT)


@asynccontextmanager
async def streamed_tenant_transaction(
    conn: psycopg.AsyncConnection[Any], tenant_id: str, budget_seconds: float
) -> AsyncIterator[None]:
    """A read-only transaction with the tenant scope of `begin_tenant_scope`, for a block
    that streams its rows (`cursor.stream()`, which pipeline mode does not allow): BEGIN
    with the scope as one message, the block, then COMMIT."""
    async with _scoped_transaction(conn, tenant_id, budget_seconds, read_only=True):
        yield
        await conn.execute(_COMMIT)


@asynccontextmanager
async def _scoped_transaction(
    conn: psycopg.AsyncConnection[Any], tenant_id: str, budget_seconds: float, *, read_only: bool
) -> AsyncIterator[None]:
    """BEGIN and the tenant scope in one round trip (one message, simple protocol), for a
    block that ends the transaction with its own COMMIT; on any failure, the transaction
    is rolled back before the error propagates.

    The transaction is not psycopg's (`conn.transaction()`), which sends BEGIN alone and
    waits for its answer, a round trip of its own. So the connection must be in autocommit
    mode (every `GuardedPool` connection is), or psycopg would still send a BEGIN first.
    """
    if not conn.autocommit:
        raise ValueError("a tenant transaction needs a connection in autocommit mode")
    scope = _scope(tenant_id, budget_seconds, read_only=read_only)
    try:
        await conn.execute(_BEGIN + scope)
        yield
    except BaseException:
        await _roll_back(conn)
        raise


async def _roll_back(conn: psycopg.AsyncConnection[Any]) -> None:
    """End a failed transaction if the connection can still be told to, as psycopg's own
    transaction does. One that cannot (severed at a deadline, still busy with a cancelled
    statement) goes back to the pool as it is, which rolls it back or discards it."""
    pgconn = conn.pgconn
    if pgconn.status != _CONNECTION_OK or pgconn.transaction_status not in _IN_TRANSACTION:
        return
    try:
        await conn.execute(_ROLLBACK)
    except psycopg.Error:
        pass  # the error that matters is the one propagating


def _scope(tenant_id: str, budget_seconds: float, *, read_only: bool) -> sql.Composed:
    timeout_ms = max(1, int((budget_seconds - _SERVER_HEADROOM_SECONDS) * 1000))
    tenant = sql.Literal(tenant_id)
    timeout = sql.Literal(f"{timeout_ms}ms")
    idle = sql.Literal(f"{timeout_ms + _IDLE_IN_TRANSACTION_GRACE_MS}ms")
    if read_only:
        role = sql.Identifier(tenant_role(tenant_id))
        return _READ_SCOPE.format(role=role, tenant=tenant, timeout=timeout, idle=idle)
    return _WRITE_SCOPE.format(tenant=tenant, timeout=timeout, idle=idle)


async def run_on_database(
    pool: GuardedPool,
    budget_seconds: float,
    tool_id: str,
    work: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]],
) -> T:
    """`work` on a pooled connection within the budget; every failure becomes a ToolError."""
    if budget_seconds <= 0:
        raise ToolError(ToolErrorCode.TIMEOUT, f"{tool_id}: no time left for the call")
    try:
        return await pool.run(budget_seconds, work)
    except TimeoutError as exc:
        raise ToolError(
            ToolErrorCode.TIMEOUT, f"{tool_id}: no answer within {budget_seconds:.2f}s"
        ) from exc
    except (psycopg.Error, PoolTimeout) as exc:
        raise map_db_error(exc, tool_id=tool_id) from exc


# Well inside a request's deadline (the service's default is 15 s), so that when a tool's
# upstream stalls, the tools with a fallback still have time to answer from it.
TOOL_TIMEOUT_SECONDS = 2.5


def budget_for(ctx_budget_seconds: float, default_seconds: float) -> float:
    """The budget a call starts with: what its deadline leaves now (spent: zero or less),
    or the tool's own timeout when it was called with no deadline at all."""
    return default_seconds if math.isinf(ctx_budget_seconds) else ctx_budget_seconds


def jsonable(value: Any) -> Any:
    """Database values as JSON-friendly Python values."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def require_text(arguments: Mapping[str, Any], name: str, tool_id: str) -> str:
    value = arguments.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ToolError(
            ToolErrorCode.INVALID_ARGUMENTS,
            f"{tool_id}: argument {name!r} must be a non-empty string, got {value!r}",
        )
    return value


def require_int(
    arguments: Mapping[str, Any], name: str, tool_id: str, *, default: int, low: int, high: int
) -> int:
    value = arguments.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ToolError(
            ToolErrorCode.INVALID_ARGUMENTS,
            f"{tool_id}: argument {name!r} must be an integer in {low}..{high}, got {value!r}",
        )
    return value
