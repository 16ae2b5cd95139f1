"""`direct_query`: validated, read-only SQL on the ops database, scoped to the caller's tenant."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import psycopg

from ..capabilities import CapabilityType, ToolCapability
from ..contracts import ToolErrorCode
from ..errors import SecurityRefusal, ToolError
from ..tool import CallContext
from ._guarded_pool import GuardedPool
from ._tenant_tx import (
    TOOL_TIMEOUT_SECONDS,
    begin_tenant_scope,
    budget_for,
    jsonable,
    require_text,
    run_on_database,
)

TOOL_ID = "direct_query"
_SCALARS = (str, int, float, bool, type(None))
Validator = Callable[..., Any]


def default_validator() -> Validator:
    from ..safety import validate_direct_query  # imported late: the validator is optional here

    return validate_direct_query


class DirectQueryTool:
    """Defence in depth: the validator, then a READ ONLY transaction, the reader role's
    grants, a statement_timeout, and row-level security keyed on the tenant."""

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

    async def run(self, arguments: Mapping[str, Any], ctx: CallContext) -> Any:
        query = require_text(arguments, "sql", TOOL_ID)
        params = _scalar_params(arguments.get("params", {}))
        statement = self._checked(query, ctx.tenant_id) if self._validate_queries else query
        budget = budget_for(ctx.budget_seconds, self.capability.timeout_seconds)

        async def work(conn: psycopg.AsyncConnection[Any]) -> dict[str, Any]:
            async with conn.transaction():
                await begin_tenant_scope(conn, ctx.tenant_id, budget, read_only=True)
                # binary=True forces the extended protocol: exactly one statement, even
                # with the validator off (the simple protocol would run a stacked `; ...`).
                cursor = await conn.execute(statement, params or None, binary=True)
                columns = [column.name for column in cursor.description or ()]
                rows = await cursor.fetchmany(self._max_rows)
            return {
                "columns": columns,
                "row_count": len(rows),
                "rows": [dict(zip(columns, jsonable(list(row)), strict=False)) for row in rows],
            }

        return await run_on_database(self._pool, budget, TOOL_ID, work)

    async def aclose(self) -> None:
        await self._pool.aclose()

    def _checked(self, query: str, tenant_id: str) -> str:
        validator = self._validator or default_validator()
        verdict = validator(query, max_rows=self._max_rows, tenant_id=tenant_id)
        if verdict.is_safe:
            return verdict.sql
        reasons = "; ".join(f"{v.code}: {v.message}" for v in verdict.violations) or "refused"
        code = (
            ToolErrorCode.TENANT_VIOLATION
            if any("tenant" in v.code for v in verdict.violations)
            else ToolErrorCode.UNSAFE_QUERY
        )
        raise SecurityRefusal(code, f"{TOOL_ID}: {reasons}")


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
