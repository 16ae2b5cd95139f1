"""Qualified names: a column of a relation in scope, or a function call in disguise.

Postgres resolves `x.f` (and `(expr).f`) by looking for a column `f` of `x`; when there is
none, it calls the one-argument function `f(x)` (ParseFuncOrColumn). sqlglot reads both
as field access, so no function check would see the call. Hence the rule judged here:
a qualified name is accepted only when its qualifier is a relation in scope and its last
part is a column that relation is known to have; `(expr).f` is refused outright, and only
`(expr).*` (row expansion, never a call) stays.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from ._catalog import Catalog
from ._result import Violation

# Output columns of set-returning functions used in FROM, besides the alias itself.
_FUNCTION_COLUMNS: dict[str, frozenset[str]] = {
    name: frozenset({"key", "value"})
    for name in ("json_each", "jsonb_each", "json_each_text", "jsonb_each_text")
} | {
    name: frozenset({"value"})
    for name in (
        "json_array_elements",
        "jsonb_array_elements",
        "json_array_elements_text",
        "jsonb_array_elements_text",
    )
}
_MAX_SOURCE_DEPTH = 16  # stars through nested derived tables; deeper is refused


def check_references(tree: exp.Expression, catalog: Catalog) -> Iterator[Violation]:
    owners: dict[int, Scope] = {}
    for scope in traverse_scope(tree):
        for column in (*scope.columns, *scope.stars):
            owners.setdefault(id(column), scope)  # innermost first: the scope it is in
        for name in _duplicate_aliases(scope):
            yield Violation(
                "ambiguous_relation",
                f"{name!r} names more than one relation in the same FROM clause",
            )
    for node in tree.walk():
        if isinstance(node, exp.Dot) and not isinstance(node.expression, exp.Star):
            yield Violation(
                "attribute_call",
                f"{_shown(node)}: field access on an expression is not allowed "
                "(Postgres may run it as a function call)",
            )
        elif isinstance(node, exp.Column) and node.table:
            yield from _check_qualified(node, owners.get(id(node)), catalog)


def _check_qualified(
    column: exp.Column, scope: Scope | None, catalog: Catalog
) -> Iterator[Violation]:
    qualifier = _folded(column.args["table"])
    source = _find_source(scope, qualifier) if scope is not None else None
    if source is None:
        yield Violation(
            "unknown_column",
            f"{_shown(column)}: {qualifier!r} is not a relation in scope "
            "(Postgres may run it as a function call)",
        )
        return
    if isinstance(column.this, exp.Star):
        return
    columns = _source_columns(source, catalog, 0)
    name = _folded(column.this)
    if columns is None or name not in columns:
        yield Violation(
            "unknown_column",
            f"{_shown(column)}: {name!r} is not a known column of {qualifier!r} "
            f"(Postgres would run it as the function call {name}({qualifier}))",
        )


def _find_source(scope: Scope | None, name: str) -> exp.Expression | Scope | None:
    """The FROM item `name` names, as Postgres would see it from `scope`: items of this
    query and of enclosing ones (correlation, LATERAL), never the query itself."""
    chain: list[Scope] = []
    while scope is not None:
        chain.append(scope)
        if scope.is_udtf:  # inside LATERAL: only the FROM items before it are visible
            visible = {key: source for key, source in scope.sources.items() if key}
        else:  # only relations in FROM/JOIN; a CTE that no FROM names is not in scope
            visible = {key: source for key, (_, source) in scope.selected_sources.items()}
        source = visible.get(name)
        if source is not None:
            # A query naming itself (a CTE or LATERAL alias from inside) is an error to
            # Postgres; refuse it rather than trust the columns it claims to have.
            return None if any(source is outer for outer in chain) else source
        scope = scope.parent
    return None


def _duplicate_aliases(scope: Scope) -> list[str]:
    select = scope.expression
    if not isinstance(select, exp.Select):
        return []
    items = [select.args.get("from_"), *select.args.get("joins", [])]
    names = [item.this.alias_or_name for item in items if item is not None]
    return sorted({name for name in names if names.count(name) > 1})


def _source_columns(
    source: exp.Expression | Scope, catalog: Catalog, depth: int
) -> frozenset[str] | None:
    if depth > _MAX_SOURCE_DEPTH:
        return None
    if isinstance(source, Scope):
        return _scope_columns(source, catalog, depth)
    if not isinstance(source, exp.Table):
        return None
    renamed = _alias_columns(source)
    if isinstance(source.this, exp.Identifier):
        schema = _folded(source.args["db"]) if source.args.get("db") else None
        base = catalog.columns_of(schema, _folded(source.this))
        if base is None:
            return None
        # `FROM t AS x(a, b)` renames the first columns; the catalog does not keep column
        # order, so only the new names are trusted then.
        return frozenset(renamed) if renamed else base
    return _function_columns(source, renamed)


def _function_columns(source: exp.Expression, renamed: list[str]) -> frozenset[str]:
    call = source.this if isinstance(source, (exp.Table, exp.Lateral)) else source
    names = set(renamed)
    if not renamed:
        names |= {source.alias} if source.alias else set()
        if isinstance(call, exp.Func):
            names |= _FUNCTION_COLUMNS.get(_call_name(call), frozenset())
    offset = call.args.get("offset") if isinstance(call, exp.Unnest) else None
    if isinstance(offset, exp.Identifier):
        names.add(_folded(offset))  # WITH ORDINALITY AS t(x, n): sqlglot keeps n apart
    elif source.args.get("ordinality") or offset:
        names.add("ordinality")
    return frozenset(names)


def _scope_columns(scope: Scope, catalog: Catalog, depth: int) -> frozenset[str] | None:
    expression = scope.expression
    container = expression.parent
    if isinstance(container, (exp.CTE, exp.Subquery)):
        renamed = _alias_columns(container)
        if renamed:
            return frozenset(renamed)
    if isinstance(expression, exp.Lateral) and isinstance(expression.this, exp.Subquery):
        renamed = _alias_columns(expression)
        if renamed:
            return frozenset(renamed)
        inner = expression.this.unnest()
        for source in scope.sources.values():
            if isinstance(source, Scope) and source.expression is inner:
                return _scope_columns(source, catalog, depth + 1)
        return None
    if isinstance(expression, exp.SetOperation):
        left = expression.left
        while isinstance(left, exp.SetOperation):
            left = left.left
        expression = left.unnest() if isinstance(left, exp.Subquery) else left
    if not isinstance(expression, exp.Select):
        return _function_columns(expression, _alias_columns(expression))
    names: set[str] = set()
    for selected in expression.expressions:
        if isinstance(selected, exp.Star) or (
            isinstance(selected, exp.Column) and isinstance(selected.this, exp.Star)
        ):
            expanded = _star_columns(selected, scope, catalog, depth)
            if expanded is None:
                return None
            names |= expanded
        elif selected.alias_or_name:
            names.add(selected.alias_or_name)
    return frozenset(names)


def _star_columns(
    star: exp.Expression, scope: Scope, catalog: Catalog, depth: int
) -> frozenset[str] | None:
    if isinstance(star, exp.Column) and star.table:
        source = _find_source(scope, _folded(star.args["table"]))
        sources = [source] if source is not None else []
    else:
        sources = list(scope.sources.values())
    names: set[str] = set()
    for source in sources:
        columns = _source_columns(source, catalog, depth + 1)
        if columns is None:
            return None
        names |= columns
    return frozenset(names)


def _alias_columns(node: exp.Expression) -> list[str]:
    alias = node.args.get("alias")
    if not isinstance(alias, exp.TableAlias):
        return []
    return [_folded(c) if isinstance(c, exp.Identifier) else c.name for c in alias.columns]


def _call_name(call: exp.Func) -> str:
    if isinstance(call, exp.Anonymous):
        return call.name.lower()
    return call.sql_name().lower()


def _folded(identifier: exp.Expression) -> str:
    # Postgres folds unquoted names to lower case; quoted names keep their case.
    if isinstance(identifier, exp.Identifier) and identifier.quoted:
        return identifier.name
    return identifier.name.lower()


def _shown(node: exp.Expression) -> str:
    return node.sql(dialect="postgres")[:120]
