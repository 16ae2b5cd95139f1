"""Enforce the row cap on a validated query shape.

A plain integer LIMIT at or below the cap stays; a larger one is lowered. Anything the cap
cannot be read from (LIMIT %s, LIMIT ALL, FETCH FIRST ... WITH TIES, set operations,
VALUES) is wrapped: `SELECT * FROM (<query>) AS limited_rows LIMIT cap`.
"""

from __future__ import annotations

from sqlglot import exp

WRAPPER_ALIAS = "limited_rows"


def enforce_row_limit(tree: exp.Expression, max_rows: int) -> exp.Expression:
    """Return a copy of `tree` that yields at most `max_rows` rows."""
    if isinstance(tree, exp.Select):
        limit = tree.args.get("limit")
        if limit is None:
            return tree.limit(max_rows, copy=True)
        existing = literal_limit(limit)
        if existing is not None:
            return tree.copy() if existing <= max_rows else tree.limit(max_rows, copy=True)
    return _wrap(tree, max_rows)


def literal_limit(limit: exp.Expression) -> int | None:
    """The row count of `LIMIT n` or `FETCH FIRST n ROWS ONLY` when n is a plain integer."""
    if isinstance(limit, exp.Limit):
        count = limit.expression
    elif isinstance(limit, exp.Fetch):
        options = limit.args.get("limit_options")
        if options is not None and (options.args.get("percent") or options.args.get("with_ties")):
            return None
        count = limit.args.get("count")
        if count is None:
            return 1  # FETCH FIRST ROW ONLY
    else:
        return None
    if isinstance(count, exp.Literal) and not count.is_string and count.this.isdigit():
        return int(count.this)
    return None


def _wrap(tree: exp.Expression, max_rows: int) -> exp.Expression:
    inner = tree.this if isinstance(tree, exp.Subquery) and not tree.alias else tree
    return (
        exp.select("*")
        .from_(
            exp.Subquery(
                this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier(WRAPPER_ALIAS))
            )
        )
        .limit(max_rows)
    )
