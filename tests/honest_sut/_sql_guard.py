"""The read-only SQL guard: what `direct_query` refuses before Postgres sees a statement.

`check_sql` returns None for a statement it accepts, or a `Refusal` whose code is
`tenant_violation` (the text compares `tenant_id` with another tenant's id) or
`unsafe_query` (everything else). The database roles stay the second line of defence;
this guard is the first, so an attack is refused by name before it costs a connection.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

MAX_SQL_CHARS = 16 * 1024
READ_STATEMENTS = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Values)
ALLOWED_FUNCTIONS = frozenset(
    [
        "abs",
        "avg",
        "bool_and",
        "bool_or",
        "ceil",
        "coalesce",
        "concat",
        "count",
        "count_if",
        "current_date",
        "current_timestamp",
        "date_part",
        "date_trunc",
        "timestamp_trunc",
        "extract",
        "exploding_generate_series",
        "generate_series",
        "greatest",
        "least",
        "length",
        "lower",
        "upper",
        "floor",
        "max",
        "min",
        "nullif",
        "percentile_cont",
        "percentile_disc",
        "round",
        "sum",
        "stddev",
        "variance",
        "trim",
        "substring",
        "array_agg",
        "string_agg",
        "group_concat",
        "now",
        "to_char",
        "left",
        "right",
        "replace",
        "split_part",
        "position",
        "strpos",
        "md5",
        "random",
        "pg_sleep",
        "initcap",
        "ltrim",
        "rtrim",
        "sign",
        "sqrt",
        "ln",
        "exp",
        "power",
        "pow",
        "mod",
        "div",
        "row_number",
        "rank",
        "dense_rank",
        "lag",
        "lead",
        "first_value",
        "last_value",
        "ntile",
        "cume_dist",
        "percent_rank",
        "if",
        "case",
        "least",
        "interval",
        "make_interval",
        "age",
        "array_length",
        "unnest",
        "cardinality",
        "any",
        "all",
        "date",
        "time_to_str",
        "str_to_time",
        "cast",
        "try_cast",
        "tsordsadd",
        "timestampadd",
        "timestampdiff",
        "datediff",
        "dateadd",
        "safe_divide",
        "stddev_samp",
        "stddev_pop",
        "var_samp",
        "var_pop",
        "approx_distinct",
        "json_extract",
        "jsonextract",
        "to_json",
        "json_build_object",
        "json_agg",
        "jsonb_agg",
        "jsonb_build_object",
        "string",
        "repeat",
        "rpad",
        "lpad",
        "chr",
        "ascii",
        "reverse",
        "format",
        "translate",
        "regexp_replace",
    ]
)
DATA_TYPES_REFUSED = ("reg", "oid", "pg_", "tid", "xid", "cid", "aclitem")
ALLOWED_SCHEMAS = frozenset({"", "ops"})


@dataclass(frozen=True)
class Refusal:
    code: str  # unsafe_query or tenant_violation
    reason: str


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def _bad_function(tree: exp.Expression) -> str | None:
    for node in tree.find_all(exp.Func):
        if isinstance(node, exp.Cast | exp.TryCast):
            kind = node.to.sql(dialect="postgres").lower()
            if kind.startswith(DATA_TYPES_REFUSED):
                return f"cast to a non-data type {kind}"
            continue
        if isinstance(node, exp.Connector | exp.Binary | exp.Predicate | exp.Unary):
            continue  # operators (AND, =, ...) are Func nodes in sqlglot's tree
        name = _function_name(node)
        if name not in ALLOWED_FUNCTIONS:
            return f"function {name} is not allowed"
    return None


def _bad_table(tree: exp.Expression) -> str | None:
    for table in tree.find_all(exp.Table):
        schema = table.db.lower()
        if table.catalog or schema not in ALLOWED_SCHEMAS:
            return f"schema {schema or table.catalog} is not allowed"
        if table.name.lower().startswith("pg_"):
            return f"system catalog {table.name} is not allowed"
    return None


def _bad_shape(tree: exp.Expression) -> str | None:
    if not isinstance(tree, READ_STATEMENTS):
        return f"only one SELECT may run, not {type(tree).__name__}"
    if tree.find(exp.Into):
        return "SELECT INTO is not allowed"
    if tree.find(exp.Lock):
        return "locking clauses are not allowed"
    if tree.find(exp.Dot):
        return "attribute notation (x).f is not allowed"
    for node in tree.find_all(exp.Command, exp.Insert, exp.Update, exp.Delete, exp.Create):
        return f"{type(node).__name__} is not allowed"
    return None


def _names_tenant_id(node: exp.Expression) -> bool:
    return isinstance(node, exp.Column) and node.name.lower() == "tenant_id"


def _other_tenant(tree: exp.Expression, tenant: str) -> str | None:
    for cmp in tree.find_all(exp.EQ, exp.NEQ, exp.In, exp.Like, exp.ILike):
        sides = [cmp.this, cmp.expression, *cmp.args.get("expressions", [])]
        if not any(_names_tenant_id(side) for side in sides if side is not None):
            continue
        for side in sides:
            if isinstance(side, exp.Literal) and side.is_string and side.this != tenant:
                return f"tenant_id is compared with another tenant's id {side.this!r}"
    return None


def check_sql(sql: str, tenant: str) -> Refusal | None:
    """Accept one read-only statement for `tenant`, or say why not."""
    if len(sql) > MAX_SQL_CHARS:
        return Refusal("unsafe_query", f"more than {MAX_SQL_CHARS} characters")
    try:
        statements = [s for s in sqlglot.parse(sql, read="postgres") if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        return Refusal("unsafe_query", f"not parseable SQL: {str(exc).splitlines()[0]}")
    if len(statements) != 1:
        return Refusal("unsafe_query", f"exactly one statement expected, got {len(statements)}")
    tree = statements[0]
    crossing = _other_tenant(tree, tenant)
    if crossing:
        return Refusal("tenant_violation", crossing)
    reason = _bad_shape(tree) or _bad_table(tree) or _bad_function(tree)
    return Refusal("unsafe_query", reason) if reason else None
