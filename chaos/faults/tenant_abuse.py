"""Tenant attacks on shared resources: other tenants' SQL text, their queries, the lock
table, the breaker (with caller errors, or with statements that outlast their timeout),
the audit key, and a tool's slots (with many ordinary queries).

Like every `TenantAttack`, these are request mutations: the scenario runner rewrites the
requests they pick (with probability `share`) and observes the answers apart from the
workload's (source `attack`). What a scenario checks is whether the *other* tenants'
traffic and data stay untouched.

The SQL attacks use Postgres's attribute-call notation, `(arg).func`, which calls a
one-argument function while reading like field access, so a validator that only looks
for calls does not see it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from .base import register_fault
from .planned_request import Crowd, PlannedRequest
from .tenant import AD_HOC_QUERY, TenantAttack

# The other sessions' query text, one lexeme a row; named `tenant_id` so that a tenant id
# found in another session's SQL shows up as another tenant's row in the answer.
FOREIGN_SQL_TEXT = (
    "SELECT (('SELECT to_tsvector(''simple'', query) FROM pg_stat_activity "
    "WHERE pid <> pg_backend_pid()').ts_stat).word AS tenant_id"
)
CANCEL_FOREIGN_QUERIES = (
    "SELECT count((pid).pg_cancel_backend) AS cancelled FROM pg_stat_activity "
    "WHERE pid <> pg_backend_pid()"
)
# Session-level locks outlive the transaction; enough of them fill the shared lock table.
ADVISORY_LOCK_FLOOD = (
    "SELECT count((g::bigint).pg_try_advisory_lock) AS held FROM generate_series(1, 50000) AS g"
)
CALLER_ERROR = "SELECT 1/0 AS boom"
# Counting 3e8 rows takes far longer than any call deadline (seconds of CPU on any machine):
# the statement is cut by its own timeout, an upstream `timeout` of the tenant's own making.
# The series is in the select list, so it streams: nothing is spilled to temporary files.
EXPENSIVE_QUERY = "SELECT count(*) AS n FROM (SELECT generate_series(1, 300000000) AS g) AS s"
# An ordinary read any tenant may make: a flood of it is harmful only by its number.
ORDINARY_QUERY = "SELECT service, owner_team FROM ops.services ORDER BY service"
# Single rows far over any sane result cap (10 MB is the reference's): 100 MB as one
# column, and 20 MB as one column or as 10 of 2 MB (a cap that measures a value at a time,
# not the row, misses that one). The 20 MB rows matter most: a database builds them within
# a call deadline even on a busy machine, so they do reach a service that fetches a row
# before measuring it.
# The 100 MB one comes one time in four: Postgres builds it in one uninterruptible call,
# seconds of its CPU whatever the statement timeout, and the point is the service's memory.
HUGE_ROWS = (
    "SELECT repeat('x', 20000000) AS wide",
    "SELECT " + ", ".join(f"repeat('x', 2000000) AS c{i}" for i in range(10)),
    "SELECT repeat('x', 20000000) AS wide",
    "SELECT repeat('x', 100000000) AS wide",
)


class SqlAttack(TenantAttack):
    """An ad hoc query `sql` sent as `as_tenant` (default: the request's own tenant)."""

    sql: str
    as_tenant: str | None = None
    sends_intent: ClassVar[str | None] = AD_HOC_QUERY

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        caller = self.as_tenant or request.tenant
        return PlannedRequest(
            caller, AD_HOC_QUERY, {"sql": self.sql}, crowd.keys[caller], self.kind
        )


@register_fault
class ForeignSqlTextFault(SqlAttack):
    """Read the SQL text other sessions ran (`ts_stat` over `pg_stat_activity`).

    Expected: refused; no other tenant's id in any answer."""

    kind: Literal["foreign_sql_text"] = "foreign_sql_text"
    statement_mark: ClassVar[str | None] = "ts_stat"
    sql: str = FOREIGN_SQL_TEXT


@register_fault
class CancelForeignQueriesFault(SqlAttack):
    """Cancel every other session's running query (`pg_cancel_backend`).

    Expected: refused; the other tenants' queries run to their end."""

    kind: Literal["cancel_foreign_queries"] = "cancel_foreign_queries"
    statement_mark: ClassVar[str | None] = "pg_cancel_backend"
    sql: str = CANCEL_FOREIGN_QUERIES


@register_fault
class AdvisoryLockFloodFault(SqlAttack):
    """Take 50,000 session-level advisory locks on a pooled connection.

    Expected: refused; no later connection meets "out of shared memory"."""

    kind: Literal["advisory_lock_flood"] = "advisory_lock_flood"
    statement_mark: ClassVar[str | None] = "pg_try_advisory_lock"
    sql: str = ADVISORY_LOCK_FLOOD


@register_fault
class CallerErrorBurstFault(SqlAttack):
    """Queries that fail by the caller's own fault (`SELECT 1/0`), from `as_tenant`.

    Expected: answered `invalid_arguments`; the tool's breaker stays closed for the other
    tenants, whose calls keep succeeding."""

    kind: Literal["caller_error_burst"] = "caller_error_burst"
    sql: str = CALLER_ERROR


@register_fault
class ExpensiveQueryFloodFault(SqlAttack):
    """Statements that outlast their call's deadline, from `as_tenant`: each is cut by its
    timeout, an upstream `timeout` of the tenant's own making.

    Expected: the tenant meets `timeout` (and, as its own breaker opens, `circuit_open`);
    the other tenants' calls keep succeeding, never refused by a breaker they share."""

    kind: Literal["expensive_query_flood"] = "expensive_query_flood"
    sql: str = EXPENSIVE_QUERY


@register_fault
class QueryFloodFault(SqlAttack):
    """Ordinary, legal reads from `as_tenant`, more at a time than its share of a tool's
    slots (a slow upstream makes each hold its slot longer).

    Expected: the tenant's calls beyond its share are refused; the other tenants' calls
    keep finding a slot, never refused because one tenant holds them all."""

    kind: Literal["query_flood"] = "query_flood"
    sql: str = ORDINARY_QUERY


@register_fault
class HugeRowFault(TenantAttack):
    """Ad hoc queries whose single row is 20 or 100 MB (one column, or many), from
    `as_tenant`.

    Expected: answered by the deadline, the row refused (`result_too_large`) or the answer
    honestly partial, and the service's memory never holds the row."""

    kind: Literal["huge_row"] = "huge_row"
    sends_intent: ClassVar[str | None] = AD_HOC_QUERY
    as_tenant: str | None = None

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        turn = crowd.memory.get(self.kind, 0)  # the two shapes in turn
        crowd.memory[self.kind] = turn + 1
        caller = self.as_tenant or request.tenant
        sql = HUGE_ROWS[turn % len(HUGE_ROWS)]
        return PlannedRequest(caller, AD_HOC_QUERY, {"sql": sql}, crowd.keys[caller], self.kind)


@register_fault
class ValidatorHeavySqlFault(TenantAttack):
    """Long, valid SQL that is costly to validate: `SELECT d+d+...+d`, `size_bytes` long,
    from `as_tenant`. Parsing it takes a validator CPU time (a deep expression tree: about
    half a second at 16 KB on a quiet machine); Postgres refuses it at that size as too
    complex (54001, its parser's stack), which is the caller's fault, not the database's.
    The digits are drawn afresh each time, so no cache of accepted queries spares a
    validation.

    Expected: whatever the system's own limits say of it (accepted, `too_complex`,
    `timeout`...); the other tenants' queries go on as before, never queued behind it."""

    kind: Literal["validator_heavy_sql"] = "validator_heavy_sql"
    sends_intent: ClassVar[str | None] = AD_HOC_QUERY
    as_tenant: str | None = None
    # under the suite's 64 KiB body limit, or the request is refused before any check
    size_bytes: int = Field(default=16000, ge=64, le=60_000)

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        caller = self.as_tenant or request.tenant
        terms = (self.size_bytes - len("SELECT  AS n")) // 2 + 1
        digits = "+".join(str(crowd.rng.randrange(1, 10)) for _ in range(terms))
        sql = f"SELECT {digits} AS n"
        return PlannedRequest(caller, AD_HOC_QUERY, {"sql": sql}, crowd.keys[caller], self.kind)


@register_fault
class AuditIdSquatFault(TenantAttack):
    """Requests in pairs with one chosen `request_id`: first from the request's tenant,
    then from another tenant, which reuses (squats) the id.

    Expected: both answered and both audited, each under its own tenant; the first
    tenant's record stays as it was."""

    kind: Literal["audit_id_squat"] = "audit_id_squat"

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        """The first of a pair picks a fresh id; the second reuses it as another tenant."""
        squatted = crowd.memory.pop(self.kind, None)  # (request id, its first tenant)
        if squatted is None:
            request_id, tenant = f"squat-{crowd.rng.getrandbits(64):016x}", request.tenant
            crowd.memory[self.kind] = (request_id, tenant)
        else:
            request_id, first = squatted
            tenant = crowd.other_tenant(first)
        return PlannedRequest(
            tenant,
            request.intent,
            request.parameters,
            crowd.keys[tenant],
            self.kind,
            body_extra={"request_id": request_id},
        )


@register_fault
class TinyDeadlineFault(TenantAttack):
    """The workload's own requests, sent as `as_tenant` with a deadline too short for any
    call to finish (`deadline_seconds`, which the contract lets a caller set): each call
    is cut by the caller's own deadline.

    Expected: the tenant meets `timeout`; that is its own choice, not a sign the upstream
    is failing, so no breaker the other tenants share opens, and their calls keep
    succeeding."""

    kind: Literal["tiny_deadline"] = "tiny_deadline"
    as_tenant: str | None = None
    deadline_seconds: float = Field(default=0.001, ge=0.001, le=0.1)

    def rewrite(self, request: PlannedRequest, crowd: Crowd) -> PlannedRequest:
        caller = self.as_tenant or request.tenant
        return PlannedRequest(
            caller,
            request.intent,
            request.parameters,
            crowd.keys[caller],
            self.kind,
            body_extra={"deadline_seconds": self.deadline_seconds},
        )
