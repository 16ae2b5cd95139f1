"""Which relations a query may name: the application's schema, never the system catalogs.

Which rows a tenant may read is the database's job (row-level security and grants), so
no table names are listed here; only schemas and the catalog prefixes are judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from ._result import Violation

APPLICATION_SCHEMA = "ops"
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast"})


def check_relations(tree: exp.Expression) -> Iterator[Violation]:
    """Refuse system catalogs (qualified or not) and any schema other than the application's."""
    for node in tree.walk():
        if isinstance(node, exp.Table):
            yield from _check_table(node)
        elif isinstance(node, exp.Column):
            yield from _check_qualifiers(node.args.get("db"), node.args.get("catalog"), node)


def _check_table(table: exp.Table) -> Iterator[Violation]:
    # A CTE or alias named pg_* is refused too: simpler to explain than to resolve scopes.
    if isinstance(table.this, exp.Identifier) and _is_system_name(table.this.name):
        yield Violation(
            "system_catalog",
            f"system catalog {table.sql(dialect='postgres')} may not be queried",
        )
        return
    yield from _check_qualifiers(table.args.get("db"), table.args.get("catalog"), table)


def _check_qualifiers(
    schema: exp.Expression | None, catalog: exp.Expression | None, node: exp.Expression
) -> Iterator[Violation]:
    if schema is None and catalog is None:
        return  # the common case; rendering `shown` costs more than the whole check
    shown = node.sql()
    if catalog is not None:
        yield Violation("foreign_schema", f"{shown}: database-qualified names are not allowed")
        return
    if schema is None:
        return
    name = _normalised(schema) if isinstance(schema, exp.Identifier) else schema.sql().lower()
    if _is_system_name(name):
        yield Violation("system_catalog", f"system schema {name!r} may not be queried ({shown})")
    elif name != APPLICATION_SCHEMA:
        yield Violation(
            "foreign_schema",
            f"schema {name!r} is not allowed ({shown}); "
            f"only {APPLICATION_SCHEMA!r} or unqualified names",
        )


def _normalised(identifier: exp.Identifier) -> str:
    # Postgres folds unquoted names to lower case; quoted names keep their case.
    return identifier.name if identifier.quoted else identifier.name.lower()


def _is_system_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("pg_") or lowered in _SYSTEM_SCHEMAS
