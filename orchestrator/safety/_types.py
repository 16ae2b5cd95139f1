"""Type names a query may cast to: an allowlist of plain data types.

Casts to object-identifier types (`regclass`, `regproc`, `oid`, ...) look objects up in
the system catalogs, leak their ids, and turn text into something a function-call trick
can use, so they are refused; so is any type name not listed here (pseudo-types,
schema-qualified or user-defined types).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from ._result import Violation

_T = exp.DataType.Type
ALLOWED_TYPES: frozenset[exp.DataType.Type] = frozenset(
    {
        _T.SMALLINT, _T.INT, _T.BIGINT, _T.DECIMAL, _T.FLOAT, _T.DOUBLE, _T.MONEY,
        _T.TEXT, _T.VARCHAR, _T.CHAR, _T.NAME, _T.BOOLEAN, _T.UUID, _T.VARBINARY, _T.BIT,
        _T.DATE, _T.TIME, _T.TIMETZ, _T.TIMESTAMP, _T.TIMESTAMPTZ, _T.INTERVAL,
        _T.JSON, _T.JSONB, _T.INET,
        _T.INT4RANGE, _T.INT8RANGE, _T.NUMRANGE, _T.DATERANGE, _T.TSRANGE, _T.TSTZRANGE,
        _T.INT4MULTIRANGE, _T.INT8MULTIRANGE, _T.NUMMULTIRANGE, _T.DATEMULTIRANGE,
        _T.TSMULTIRANGE, _T.TSTZMULTIRANGE,
        _T.ARRAY,  # its element type is a nested DataType, judged on its own
    }
)  # fmt: skip
# Types sqlglot does not model, spelled as Postgres knows them (unquoted, unqualified).
ALLOWED_OTHER_TYPES: frozenset[str] = frozenset({"tsvector", "tsquery"})


def check_types(tree: exp.Expression) -> Iterator[Violation]:
    for node in tree.walk():
        if isinstance(node, exp.ObjectIdentifier) or (
            isinstance(node, exp.DataType) and not _is_allowed(node)
        ):
            yield _forbidden(node)


def _is_allowed(node: exp.DataType) -> bool:
    kind = node.this
    if isinstance(kind, exp.Interval):
        return True  # INTERVAL DAY TO SECOND and friends
    if kind == _T.USERDEFINED:
        name = node.args.get("kind")
        if isinstance(name, exp.Identifier) and not name.quoted:
            name = name.name.lower()
        return isinstance(name, str) and name in ALLOWED_OTHER_TYPES
    return kind in ALLOWED_TYPES


def _forbidden(node: exp.Expression) -> Violation:
    return Violation(
        "forbidden_type",
        f"type {node.sql(dialect='postgres')[:60]} is not allowed; cast only to plain data "
        "types (numbers, text, dates and times, json, ranges, arrays of these)",
    )
