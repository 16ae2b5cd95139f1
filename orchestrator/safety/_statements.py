"""Statement shapes: which top-level nodes may run, and which nodes may appear anywhere.

Allowlist at the top (a query shape, or a write/DDL/DCL statement only when that category
is relaxed); a walk of the whole tree catches what hides inside a query shape, such as a
writable CTE, `SELECT ... INTO` or `FOR UPDATE`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot import exp

from ._result import Violation
from ._text import StatementKind

QUERY_NODES: tuple[type[exp.Expression], ...] = (
    exp.Select,
    exp.Union,
    exp.Intersect,
    exp.Except,
    exp.Subquery,
    exp.Values,
)
WRITE_NODES: tuple[type[exp.Expression], ...] = (exp.Insert, exp.Update, exp.Delete, exp.Merge)
DDL_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in ("Create", "Drop", "Alter", "TruncateTable", "Comment", "AlterRename")
    if hasattr(exp, name)
)
DCL_NODES: tuple[type[exp.Expression], ...] = (exp.Grant, exp.Revoke)
# Statements no flag unlocks: session changes, transactions, bulk I/O, utility commands.
FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Command",
        "Set",
        "Transaction",
        "Commit",
        "Rollback",
        "Copy",
        "Use",
        "Pragma",
        "Describe",
        "Kill",
        "Cache",
        "Uncache",
        "LoadData",
        "Analyze",
        "Summarize",
        "Refresh",
        "Show",
        "Declare",
        "Execute",
    )
    if hasattr(exp, name)
)


@dataclass(frozen=True)
class Relaxations:
    """Which categories the caller allowed; each flag relaxes only its own category."""

    allow_writes: bool = False
    allow_ddl: bool = False
    allow_dcl: bool = False


def check_top_level(
    tree: exp.Expression, kind: StatementKind, keyword: str, relax: Relaxations
) -> Violation | None:
    """The statement must be a query shape, or a relaxed category announced by its keyword."""
    if kind is StatementKind.OTHER:
        return _not_allowed(tree, keyword)
    if isinstance(tree, FORBIDDEN_NODES):
        return _unanalysable(kind, keyword)
    if keyword == "WITH" and isinstance(tree, WRITE_NODES):
        kind = StatementKind.WRITE  # WITH ... DELETE/INSERT/UPDATE
    if kind is StatementKind.QUERY and isinstance(tree, QUERY_NODES):
        return None
    if kind is StatementKind.WRITE and isinstance(tree, WRITE_NODES):
        return None if relax.allow_writes else _write(tree)
    if kind is StatementKind.DDL and isinstance(tree, DDL_NODES):
        return None if relax.allow_ddl else _ddl(tree)
    if kind is StatementKind.DCL and isinstance(tree, DCL_NODES):
        return None if relax.allow_dcl else _dcl(tree)
    return _unanalysable(kind, keyword)


def _unanalysable(kind: StatementKind, keyword: str) -> Violation:
    # sqlglot kept the statement as an opaque Command (or misread it): never run what
    # cannot be walked, whatever the flags say; the code still names the category.
    code = {
        StatementKind.DDL: "ddl",
        StatementKind.DCL: "dcl",
        StatementKind.WRITE: "not_read_only",
    }.get(kind, "statement_not_allowed")
    return Violation(code, f"this {keyword} statement cannot be analysed safely; not allowed")


def check_nested(tree: exp.Expression, relax: Relaxations) -> Iterator[Violation]:
    """Walk every node: statements nested in a query, INTO targets and locking clauses."""
    for node in tree.walk():
        if node is tree:
            continue
        if isinstance(node, FORBIDDEN_NODES):
            yield _not_allowed(node)
        elif isinstance(node, WRITE_NODES) and not relax.allow_writes:
            yield _write(node)
        elif isinstance(node, DDL_NODES) and not relax.allow_ddl:
            yield _ddl(node)
        elif isinstance(node, DCL_NODES) and not relax.allow_dcl:
            yield _dcl(node)
        elif isinstance(node, exp.Into) and not relax.allow_writes:
            yield Violation(
                "select_into", "SELECT ... INTO creates a table; only reads are allowed"
            )
        elif isinstance(node, exp.Lock) and not relax.allow_writes:
            yield Violation(
                "locking_clause",
                "locking clauses (FOR UPDATE/SHARE ...) are not allowed in a read-only query",
            )


def _statement_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return type(node).__name__.upper()


def _not_allowed(node: exp.Expression, keyword: str | None = None) -> Violation:
    return Violation(
        "statement_not_allowed",
        f"{keyword or _statement_name(node)} statements are not allowed; "
        "only SELECT, WITH ... SELECT or VALUES",
    )


def _write(node: exp.Expression) -> Violation:
    return Violation(
        "not_read_only", f"{_statement_name(node)} writes data; only reads are allowed"
    )


def _ddl(node: exp.Expression) -> Violation:
    return Violation("ddl", f"{_statement_name(node)} changes the schema (DDL); not allowed")


def _dcl(node: exp.Expression) -> Violation:
    return Violation("dcl", f"{_statement_name(node)} changes permissions (DCL); not allowed")
