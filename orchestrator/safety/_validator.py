"""`validate_direct_query`: the one entry point. Pure; never raises for any input.

Order: raw text (size first, before any parsing) → tokens (lexical refusals, first
keyword) → parse (exactly one statement) → top-level shape → whole-tree walk (nested
statements, INTO, locks, node-type allowlist, functions, types, qualified names,
relations, tenancy) → row limit → render and re-parse the output, so the SQL handed to
the database is exactly the tree that was judged.
"""

from __future__ import annotations

import logging

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from ._catalog import OPS_CATALOG, Catalog
from ._functions import check_functions
from ._references import check_references
from ._relations import check_relations
from ._result import QueryValidation, Violation
from ._row_limit import enforce_row_limit
from ._statements import QUERY_NODES, Relaxations, check_nested, check_top_level
from ._syntax import check_syntax
from ._tenancy import check_tenancy
from ._text import StatementKind, check_raw_text, check_tokens, statement_kind
from ._types import check_types

DIALECT = "postgres"

# sqlglot logs a warning whenever it falls back to a Command; the verdict already says so.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


def validate_direct_query(
    query: str,
    *,
    enforce_readonly: bool = True,
    block_ddl: bool = True,
    block_dcl: bool = True,
    max_rows: int = 10000,
    tenant_id: str | None = None,
    catalog: Catalog = OPS_CATALOG,
) -> QueryValidation:
    """Judge one SQL statement for the direct-query tool; see the package docstring.

    `catalog` names the relations a qualified name may point into, with their columns.
    """
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        return QueryValidation.refused(
            Violation("invalid_row_limit", f"max_rows must be a positive integer, got {max_rows!r}")
        )
    relax = Relaxations(
        allow_writes=not enforce_readonly, allow_ddl=not block_ddl, allow_dcl=not block_dcl
    )
    try:
        return _validate(query, relax, max_rows, tenant_id, catalog)
    except RecursionError:
        return QueryValidation.refused(
            Violation("too_complex", "the query is nested too deeply to analyse")
        )
    except (TokenError, ParseError) as exc:
        return QueryValidation.refused(_parse_violation(exc))
    except Exception as exc:  # noqa: BLE001 - any sqlglot failure is a refusal, never a crash
        return QueryValidation.refused(
            Violation(
                "parse_error",
                f"the query could not be analysed ({type(exc).__name__}: {exc})"[:300],
            )
        )


def _validate(
    query: str, relax: Relaxations, max_rows: int, tenant_id: str | None, catalog: Catalog
) -> QueryValidation:
    raw_problem = check_raw_text(query)
    if raw_problem is not None:
        return QueryValidation.refused(raw_problem)
    tokens = sqlglot.tokenize(query, read=DIALECT)
    lexical = check_tokens(tokens)
    if lexical:
        return QueryValidation.refused(*lexical)
    # Judge the first keyword before parsing: sqlglot reads `LISTEN ch` as a column.
    kind, keyword = statement_kind(tokens), tokens[0].text.upper()[:40]
    if kind is StatementKind.OTHER:
        return QueryValidation.refused(
            Violation(
                "statement_not_allowed",
                f"{keyword} statements are not allowed; "
                "only SELECT, WITH ... SELECT, VALUES or TABLE",
            )
        )
    tree = _one_statement(query)
    if isinstance(tree, Violation):
        return QueryValidation.refused(tree)
    top = check_top_level(tree, kind, keyword, relax)
    if top is not None:
        return QueryValidation.refused(top)
    violations = _tree_violations(tree, relax, tenant_id, catalog)
    if violations:
        return QueryValidation.refused(*violations)
    return _limited_and_rendered(tree, max_rows)


def _one_statement(query: str) -> exp.Expression | Violation:
    """The parsed statement, names folded as Postgres folds them; refused unless one."""
    statements = [
        s
        for s in sqlglot.parse(query, read=DIALECT)
        if s is not None and not isinstance(s, exp.Semicolon)
    ]
    if len(statements) != 1:
        return Violation(
            "multiple_statements", f"exactly one statement is allowed, found {len(statements)}"
        )
    # Fold unquoted names to lower case as Postgres does, so names compare as it compares them.
    return normalize_identifiers(statements[0], dialect=DIALECT)


def _tree_violations(
    tree: exp.Expression, relax: Relaxations, tenant_id: str | None, catalog: Catalog
) -> list[Violation]:
    """Everything the whole-tree walk refuses, each violation once."""
    return _unique(
        [
            *check_nested(tree, relax),
            *(check_syntax(tree) if relax == Relaxations() else ()),
            *check_functions(tree),
            *check_types(tree),
            *check_references(tree, catalog),
            *check_relations(tree),
            *(check_tenancy(tree, tenant_id) if tenant_id is not None else ()),
        ]
    )


def _limited_and_rendered(tree: exp.Expression, max_rows: int) -> QueryValidation:
    """The accepted tree with its row limit, rendered as the SQL the database will run."""
    final = enforce_row_limit(tree, max_rows) if isinstance(tree, QUERY_NODES) else tree
    sql = final.sql(dialect=DIALECT, comments=False)
    unstable = _check_rendering(sql, final)
    if unstable is not None:
        return QueryValidation.refused(unstable)
    return QueryValidation(is_safe=True, violations=(), sql=sql)


def _check_rendering(sql: str, expected: exp.Expression) -> Violation | None:
    """The rendered SQL must read back as one statement of the same shape, still capped:
    sqlglot renders a few odd trees into text it parses differently (the row limit lost)."""
    try:
        reparsed = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except SqlglotError:
        reparsed = []
    if (
        len(reparsed) != 1
        or type(reparsed[0]) is not type(expected)
        or reparsed[0].args.get("limit") != expected.args.get("limit")
    ):
        return Violation(
            "unsupported_syntax", "the query uses syntax that cannot be reproduced faithfully"
        )
    return None


def _parse_violation(exc: SqlglotError) -> Violation:
    where = ""
    errors = getattr(exc, "errors", None) or []
    if errors and errors[0].get("line") is not None:
        where = f" at line {errors[0]['line']}, column {errors[0].get('col')}"
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Violation("parse_error", f"the query is not valid SQL{where}: {detail}"[:300])


def _unique(violations: list[Violation]) -> list[Violation]:
    return list(dict.fromkeys(violations))
