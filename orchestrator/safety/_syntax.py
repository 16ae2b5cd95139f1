"""The syntax a read-only query may use: an allowlist of sqlglot node types.

Anything sqlglot can build but this list does not name is refused, so a parser upgrade or
an unusual construct fails closed. Calls (`exp.Func`) are judged by the function
allowlist, casts' target types by the type allowlist, qualified names by the reference
check; this module judges everything else, operators included.

Operators: each Postgres operator runs a function. Only the built-in operators below are
allowed, on the built-in types the type allowlist permits, so none of them reaches a
function outside the allowlist; `OPERATOR(schema.op)` and any operator sqlglot does not
model are refused.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from ._result import Violation

ALLOWED_OPERATORS: tuple[type[exp.Expression], ...] = (
    # comparison, logic, arithmetic, text
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ,
    exp.And, exp.Or, exp.Not, exp.Is, exp.In, exp.Between, exp.Any, exp.All,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Neg, exp.Pow,
    exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor, exp.BitwiseNot,
    exp.BitwiseLeftShift, exp.BitwiseRightShift,
    exp.DPipe, exp.Like, exp.ILike, exp.SimilarTo, exp.Escape,
    exp.Overlaps,
    # ranges and arrays (&&, @>, <@), JSON (->, ->>, #>, #>>, ?, ?|, ?&, #-, @?), text search (@@)
    exp.ArrayOverlaps, exp.ArrayContainsAll, exp.ArrayContainedBy,
    exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract, exp.JSONBExtractScalar,
    exp.JSONBContainsTopKey, exp.JSONBContainsAnyTopKeys, exp.JSONBContainsAllTopKeys,
    exp.JSONBContains, exp.JSONBDeleteAtPath, exp.JSONBPathExists,
    exp.MatchAgainst,
    exp.AtTimeZone, exp.Collate, exp.Distinct,
)  # fmt: skip

ALLOWED_SYNTAX: tuple[type[exp.Expression], ...] = (
    # query shapes and clauses
    exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery, exp.Values,
    exp.With, exp.CTE, exp.From, exp.Join, exp.Lateral, exp.Where, exp.Group, exp.Having,
    exp.Qualify, exp.Order, exp.Ordered, exp.Limit, exp.Offset, exp.Fetch, exp.LimitOptions,
    exp.Cube, exp.Rollup, exp.GroupingSets, exp.Window, exp.WindowSpec,
    exp.Filter, exp.WithinGroup, exp.RecursiveWithSearch,
    # names and values
    exp.Table, exp.TableAlias, exp.Alias, exp.Aliases, exp.Column, exp.Identifier, exp.Star,
    exp.Literal, exp.Boolean, exp.Null, exp.RawString, exp.UnicodeString, exp.National,
    exp.ByteString, exp.HexString, exp.BitString,
    exp.Placeholder, exp.Parameter, exp.Var, exp.Interval, exp.IntervalSpan,
    exp.DataType, exp.DataTypeParam, exp.ColumnDef, exp.Paren, exp.Tuple, exp.Bracket,
    exp.Slice, exp.Dot, exp.JSONPath, exp.JSONPathRoot, exp.JSONPathKey,
    exp.JSONPathSubscript, exp.PropertyEQ, exp.Kwarg,
    *ALLOWED_OPERATORS,
)  # fmt: skip


def check_syntax(tree: exp.Expression) -> Iterator[Violation]:
    """Every node is an allowlisted construct or a call (judged by the function check)."""
    for node in tree.walk():
        if isinstance(node, (exp.Func, *ALLOWED_SYNTAX)) or _is_json_arrow(node):
            continue
        yield Violation(
            "unsupported_syntax",
            f"{type(node).__name__} ({node.sql(dialect='postgres')[:60]}) is not allowed in "
            "a read-only query",
        )


def _is_json_arrow(node: exp.Expression) -> bool:
    # Inside a call's arguments sqlglot reads `col -> 'key'` as a lambda; it renders it back
    # as written, and Postgres reads the JSON operator. Only that one-name form is allowed.
    if not isinstance(node, exp.Lambda):
        return False
    names = node.expressions
    return len(names) == 1 and isinstance(names[0], exp.Identifier)
