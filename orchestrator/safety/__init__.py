"""Query safety for the direct-query tool.

`validate_direct_query(sql, tenant_id=...)` parses one Postgres statement with sqlglot
and accepts it only if it reads: a query shape at the top (SELECT, WITH ... SELECT, set
operations, VALUES), no statement hidden inside, no INTO or locking clause, only
allowlisted functions called without a schema, no system catalog or foreign schema, and
no explicit reference to another tenant. The returned `sql` is regenerated from the
validated tree with the row cap applied; run that, never the original text.

    result = validate_direct_query("SELECT name FROM services", tenant_id="acme")
    if not result.is_safe:
        raise SecurityRefusal(..., "; ".join(v.message for v in result.violations))
"""

from ._result import QueryValidation, Violation
from ._validator import validate_direct_query

__all__ = ["QueryValidation", "Violation", "validate_direct_query"]
