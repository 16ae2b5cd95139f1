"""Explicit references to another tenant: `tenant_id` compared with someone else's id.

Row-level security already keeps tenants apart; this refuses the attempt up front so it
is reported as a security error instead of silently returning nothing. Only comparisons
against values that resolve to a constant are judged (literals, casts, concatenations,
lower/upper/trim of constants); placeholders are the caller's own parameters.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from ._result import Violation

TENANT_COLUMN = "tenant_id"

_EQUALITY = (exp.EQ, exp.NullSafeEQ)
_OTHER_COMPARISONS = (
    exp.NEQ, exp.NullSafeNEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike,
    exp.SimilarTo, exp.RegexpLike, exp.RegexpILike,
)  # fmt: skip
_TRANSPARENT_FUNCTIONS = (exp.Lower, exp.Upper, exp.Trim, exp.Cast, exp.TryCast, exp.Paren)


def check_tenancy(tree: exp.Expression, tenant_id: str) -> Iterator[Violation]:
    for node in tree.walk():
        if isinstance(node, (*_EQUALITY, *_OTHER_COMPARISONS)):
            yield from _check_comparison(node, tenant_id)
        elif isinstance(node, exp.In) and _is_tenant_column(node.this):
            values = [_constant(value) for value in node.expressions]
            yield from _judge(node, [v for v in values if v is not None], tenant_id)
        elif isinstance(node, exp.Between) and _is_tenant_column(node.this):
            yield _violation(node, "a range of tenant ids")


def _check_comparison(node: exp.Binary, tenant_id: str) -> Iterator[Violation]:
    left, right = node.this, node.expression
    if isinstance(left, exp.Tuple) and isinstance(right, exp.Tuple):
        # (tenant_id, id) = ('other', 1): judge the pairs position by position
        for column_side, value_side in zip(left.expressions, right.expressions, strict=False):
            yield from _check_pair(node, column_side, value_side, tenant_id)
        return
    yield from _check_pair(node, left, right, tenant_id)
    yield from _check_pair(node, right, left, tenant_id)


def _check_pair(
    node: exp.Binary, column_side: exp.Expression, value_side: exp.Expression, tenant_id: str
) -> Iterator[Violation]:
    if not _is_tenant_column(column_side):
        return
    values = _constants_of(value_side)
    if not values:
        return
    if isinstance(node, _EQUALITY):
        yield from _judge(node, values, tenant_id)
    else:
        yield _violation(node, "tenant ids other than yours")


def _judge(node: exp.Expression, values: list[str], tenant_id: str) -> Iterator[Violation]:
    if _is_negated(node):
        yield _violation(node, "tenant ids other than yours")
    elif any(value != tenant_id for value in values):
        others = sorted({value for value in values if value != tenant_id})
        yield _violation(node, "tenant " + ", ".join(repr(o) for o in others))


def _violation(node: exp.Expression, what: str) -> Violation:
    return Violation(
        "cross_tenant_reference",
        f"the query refers to {what} ({node.sql(dialect='postgres')}); "
        "you may only read your own tenant's rows",
    )


def _is_negated(node: exp.Expression) -> bool:
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    return isinstance(parent, exp.Not)


def _is_tenant_column(node: exp.Expression | None) -> bool:
    while isinstance(node, _TRANSPARENT_FUNCTIONS):
        node = node.this
    return isinstance(node, exp.Column) and node.name.lower() == TENANT_COLUMN


def _constants_of(node: exp.Expression) -> list[str]:
    """A constant, or the elements of ANY/ARRAY of constants; empty when unresolvable."""
    quantified = isinstance(node, (exp.Any, exp.All))
    if quantified:
        node = node.this
    while isinstance(node, exp.Paren):
        node = node.this
    if quantified and isinstance(node, exp.Literal) and node.is_string:
        # ANY('{a,b}'): a Postgres array literal
        return [item.strip().strip('"') for item in str(node.this).strip("{}").split(",")]
    if isinstance(node, exp.Array):
        values = [_constant(element) for element in node.expressions]
        return [v for v in values if v is not None]
    value = _constant(node)
    return [] if value is None else [value]


def _constant(node: exp.Expression | None) -> str | None:
    """Fold literals, casts, concatenation and case/trim functions to a string, if possible."""
    if isinstance(node, (exp.Literal, exp.RawString)):
        return str(node.this)  # RawString: a dollar-quoted literal
    if isinstance(node, exp.UnicodeString):
        return _unicode_text(node)
    if isinstance(node, (exp.Cast, exp.TryCast, exp.Paren)):
        return _constant(node.this)
    if isinstance(node, (exp.Lower, exp.Upper, exp.Trim)):
        inner = _constant(node.this)
        if inner is None:
            return None
        if isinstance(node, exp.Lower):
            return inner.lower()
        return inner.upper() if isinstance(node, exp.Upper) else inner.strip()
    if isinstance(node, exp.Chr) and len(node.expressions) == 1:
        code = _constant(node.expressions[0])
        return (
            chr(int(code)) if code is not None and code.isdigit() and int(code) < 0x110000 else None
        )
    if isinstance(node, exp.DPipe):
        left, right = _constant(node.this), _constant(node.expression)
        return None if left is None or right is None else left + right
    if isinstance(node, exp.Concat):
        parts = [_constant(part) for part in node.expressions]
        return None if any(p is None for p in parts) else "".join(p for p in parts if p is not None)
    return None


def _unicode_text(node: exp.UnicodeString) -> str | None:
    """The text of U&'...': escapes are `\\XXXX` or `\\+XXXXXX` (or UESCAPE's character)."""
    escape = node.args.get("escape")
    mark = str(escape.this) if isinstance(escape, exp.Literal) else "\\"
    text, out, i = str(node.this), [], 0
    while i < len(text):
        if text[i] != mark or len(mark) != 1:
            out.append(text[i])
            i += 1
        elif text.startswith(mark, i + 1):
            out.append(mark)
            i += 2
        else:
            long_form = text.startswith("+", i + 1)
            start = i + 2 if long_form else i + 1
            digits = text[start : start + (6 if long_form else 4)]
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                return None  # Postgres refuses it too
            i = start + len(digits)
    return "".join(out)
