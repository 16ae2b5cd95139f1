"""`direct_query`: validated, read-only SQL on the ops database, scoped to the caller's tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextlib import aclosing
from typing import Any

import psycopg
from pydantic_core import to_json

from ..capabilities import CapabilityType, ToolCapability
from ..contracts import ToolErrorCode
from ..errors import SecurityRefusal, ToolError
from ..tool import CallContext
from ._accepted_queries import AcceptedQueries
from ._guarded_pool import GuardedPool
from ._row_size import size_guarded
from ._tenant_tx import (
    TOOL_TIMEOUT_SECONDS,
    budget_for,
    jsonable,
    require_text,
    run_on_database,
    streamed_tenant_transaction,
)

TOOL_ID = "direct_query"
_SCALARS = (str, int, float, bool, type(None))
_MEGABYTE = 1024 * 1024
Validator = Callable[..., Any]


def default_validator() -> Validator:
    from ..safety import validate_direct_query  # imported late: the validator is optional here

    return validate_direct_query


def _validator_pool() -> Any:
    from ..call_policy import PolicySettings
    from ..safety import ValidatorPool

    # the workers are shared like a tool's bulkhead: one tenant holds at most its share
    return ValidatorPool(tenant_share=PolicySettings().tenant_share)


class DirectQueryTool:
    """Defence in depth: the validator, then a READ ONLY transaction as the tenant's own
    role, a statement_timeout, and row-level security keyed on the tenant and its role.

    Rows stream in one at a time and are counted as they come, so the result cap
    (`max_result_size_mb`) is enforced before a large result reaches memory: past the cap
    the query is cancelled and the call fails with `result_too_large`. A single row over
    the cap is refused by the database itself, before it is sent (`_row_size.py`).
    """

    def __init__(
        self,
        pool: GuardedPool,
        *,
        capability: ToolCapability | None = None,
        max_rows: int = 1000,
        validator: Validator | None = None,
        validate_queries: bool = True,
    ) -> None:
        self.capability = capability or ToolCapability.build(
            tool_id=TOOL_ID,
            capability_type=CapabilityType.READ_ONLY,
            timeout_seconds=TOOL_TIMEOUT_SECONDS,
            max_concurrent_calls=10,
        )
        self._pool = pool
        self._max_rows = max_rows
        self._validator = validator
        self._validate_queries = validate_queries
        # The default validator runs in worker processes under a time budget, never on the
        # event loop; they start now so the first query does not wait for them.
        self._validation_pool = (
            _validator_pool() if validate_queries and validator is None else None
        )
        # Only the project's own validator is known to be a pure function of its inputs.
        self._accepted = AcceptedQueries() if validator is None else None

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        query = require_text(arguments, "sql", TOOL_ID)
        params = _scalar_params(arguments.get("params", {}))
        statement = await self._checked(query, ctx.tenant_id) if self._validate_queries else query
        budget = budget_for(ctx.budget_seconds, self.capability.timeout_seconds)
        max_bytes = int(self.capability.max_result_size_mb * _MEGABYTE)

        async def work(conn: psycopg.AsyncConnection[Any]) -> dict[str, Any]:
            async with streamed_tenant_transaction(conn, ctx.tenant_id, budget):
                return await _read_capped(
                    conn.cursor(),
                    size_guarded(statement, max_bytes),
                    params,
                    max_rows=self._max_rows,
                    max_bytes=max_bytes,
                )

        return await run_on_database(self._pool, budget, TOOL_ID, work)

    async def aclose(self) -> None:
        if self._validation_pool is not None:
            await self._validation_pool.aclose()
        await self._pool.aclose()

    async def _checked(self, query: str, tenant_id: str) -> str:
        accepted = self._accepted
        statement = accepted.get(query, tenant_id, self._max_rows) if accepted is not None else None
        if statement is not None:
            return statement
        verdict = await self._verdict(query, tenant_id)
        if verdict.is_safe:
            if accepted is not None:
                accepted.remember(query, tenant_id, self._max_rows, verdict.sql)
            return verdict.sql
        reasons = "; ".join(f"{v.code}: {v.message}" for v in verdict.violations) or "refused"
        code = (
            ToolErrorCode.TENANT_VIOLATION
            if any("tenant" in v.code for v in verdict.violations)
            else ToolErrorCode.UNSAFE_QUERY
        )
        raise SecurityRefusal(code, f"{TOOL_ID}: {reasons}")

    async def _verdict(self, query: str, tenant_id: str) -> Any:
        if self._validation_pool is not None:
            return await self._validation_pool.validate(
                query, max_rows=self._max_rows, tenant_id=tenant_id
            )
        validator = self._validator or default_validator()
        return await asyncio.to_thread(
            validator, query, max_rows=self._max_rows, tenant_id=tenant_id
        )


async def _read_capped(
    cursor: psycopg.AsyncCursor[Any],
    statement: str,
    params: dict[str, Any],
    *,
    max_rows: int,
    max_bytes: int,
) -> dict[str, Any]:
    """At most `max_rows` rows, refused as soon as their JSON passes `max_bytes`.

    `stream` fetches row by row (libpq single-row mode), so memory holds the rows kept
    so far plus one; leaving the stream early cancels the rest of the query. It also
    forces the extended protocol: exactly one statement, even with the validator off
    (the simple protocol would run a stacked `; ...`).
    """
    rows: list[dict[str, Any]] = []
    columns: list[str] | None = None
    size = 0
    async with aclosing(cursor.stream(statement, params or None, binary=True)) as stream:
        async for row in stream:
            if columns is None:
                columns = [column.name for column in cursor.description or ()]
            record = dict(zip(columns, jsonable(list(row)), strict=False))
            size += len(to_json(record, fallback=str)) + 1
            if size > max_bytes:
                raise ToolError(
                    ToolErrorCode.RESULT_TOO_LARGE,
                    f"{TOOL_ID}: result passed its {max_bytes} byte cap after {len(rows) + 1} "
                    "rows; the query was cancelled",
                )
            rows.append(record)
            if len(rows) >= max_rows:
                break
    if columns is None:
        columns = [column.name for column in cursor.description or ()]
    return {"columns": columns, "row_count": len(rows), "rows": rows}


def _scalar_params(params: Any) -> dict[str, Any]:
    if not isinstance(params, Mapping):
        raise ToolError(
            ToolErrorCode.INVALID_ARGUMENTS,
            f"{TOOL_ID}: 'params' must be an object of name → scalar",
        )
    for name, value in params.items():
        if not isinstance(name, str) or not isinstance(value, _SCALARS):
            raise ToolError(
                ToolErrorCode.INVALID_ARGUMENTS,
                f"{TOOL_ID}: params[{name!r}] must be a string, number, boolean "
                f"or null, got {type(value).__name__}",
            )
    return dict(params)
