"""Query safety for the direct-query tool.

`validate_direct_query(sql, tenant_id=...)` parses one Postgres statement with sqlglot
and accepts it only if it reads: a query shape at the top (SELECT, WITH ... SELECT, set
operations, VALUES), no statement hidden inside, no INTO or locking clause, only
allowlisted syntax and operators, only allowlisted functions called without a schema,
casts only to plain data types (never `regclass` and friends), qualified names only when
they name a known column of a relation in scope (Postgres runs `x.f` as `f(x)`
otherwise), no system catalog or foreign schema, and no explicit reference to another
tenant. Input over MAX_QUERY_BYTES (16 KiB) is refused before it is parsed.
`ValidatorPool` runs the same function in worker processes under a time budget, so a
costly parse never holds the event loop; the direct-query tool uses it. The returned
`sql` is regenerated from the validated tree with the row cap applied; run that, never
the original text.

    result = validate_direct_query("SELECT name FROM services", tenant_id="acme")
    if not result.is_safe:
        raise SecurityRefusal(..., "; ".join(v.message for v in result.violations))
"""

from ._catalog import OPS_CATALOG, Catalog
from ._offloop import ValidatorPool, ValidatorPoolStatistics
from ._result import QueryValidation, Violation
from ._text import MAX_QUERY_BYTES
from ._validator import validate_direct_query

__all__ = [
    "MAX_QUERY_BYTES",
    "OPS_CATALOG",
    "Catalog",
    "QueryValidation",
    "ValidatorPool",
    "ValidatorPoolStatistics",
    "Violation",
    "validate_direct_query",
]
