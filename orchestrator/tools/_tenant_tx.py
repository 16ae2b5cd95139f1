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
    scope = _scope_statements(tenant_id, budget_seconds, read_only=read_only)
    await conn.execute(sql.SQL("; ").join(scope))


@asynccontextmanager
async def tenant_transaction(
    conn: psycopg.AsyncConnection[Any], tenant_id: str, budget_seconds: float, *, read_only: bool
) -> AsyncIterator[None]:
    """A transaction with the tenant scope of `begin_tenant_scope`, in pipeline mode.

    BEGIN, the scope and the statements the block executes go to the server together;
    the first result the block reads sends them all, and COMMIT follows on exit: two round
    trips for a transaction of any length instead of one per statement. Not for
    `cursor.stream()`, which pipeline mode does not allow.
    """
    async with conn.pipeline(), conn.transaction():
        for statement in _scope_statements(tenant_id, budget_seconds, read_only=read_only):
            await conn.execute(statement)
        yield


def _scope_statements(tenant_id: str, budget_seconds: float, *, read_only: bool) -> list[sql.SQL]:
    timeout_ms = max(1, int((budget_seconds - _SERVER_HEADROOM_SECONDS) * 1000))
    parts = [sql.SQL("SET TRANSACTION READ ONLY")] if read_only else []
    if read_only:
        parts.append(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(tenant_role(tenant_id))))
    parts += [
        sql.SQL("SET LOCAL app.tenant_id = {}").format(sql.Literal(tenant_id)),
        sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(f"{timeout_ms}ms")),
        sql.SQL("SET LOCAL idle_in_transaction_session_timeout = {}").format(
            sql.Literal(f"{timeout_ms + _IDLE_IN_TRANSACTION_GRACE_MS}ms")
        ),
    ]
    return parts


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
