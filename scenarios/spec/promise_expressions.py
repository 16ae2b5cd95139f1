"""Promise expressions: a scenario's number that follows from what the system declares.

    rate: "=4 * tenant_slots.direct_query /s"     # four times one tenant's slots, per second
    deadline_ms: "=request_deadline_ms or 5000"   # the declared deadline, else 5000
    duration: "=max(10000, 4 * breaker_cool_down_ms) ms"

A string that starts with `=` is an expression: numbers, the quantities of
`contract.PROMISED_QUANTITIES`, `+ - * /`, parentheses, `min`, `max`, `ceil`, `floor`,
`round`, and `A or B`: A when it has a value, else B. An undeclared quantity is infinite
(no such limit), so `min(20, tenant_rate_per_second.metrics)` is 20 without a rate limit,
and an expression whose value is not finite has none. A
trailing unit (`/s`, `/m`, `/h` for a rate; ` ms`, ` s`, ` m`, ` h` for a duration) writes
the value in the form those fields read. The text is parsed with `ast` and only that
closed set of nodes is accepted: nothing is ever evaluated as Python.

An expression without a value (and no `or` to fall back on) needs what it reads that the
system leaves undeclared: `Resolved.missing` names it.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from contract import PROMISED_QUANTITIES, Promises
from vocabulary import did_you_mean

__all__ = [
    "EXPRESSION_MARK",
    "PromiseExpression",
    "Resolved",
    "known_quantity",
    "parse_expression",
    "undeclared_reason",
]

EXPRESSION_MARK = "="
_UNIT = re.compile(r"(?:\s*/\s*(?P<per>s|m|h)|\s+(?P<span>ms|s|m|h))\s*$")
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "ceil": math.ceil,
    "floor": math.floor,
    "round": round,
}
_OPERATORS: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_SYNTAX = "numbers, promised quantities, + - * / ( ), min, max, ceil, floor, round and 'or'"


def known_quantity(name: str) -> str:
    """`name` if it is a promised quantity; else a ValueError with a did-you-mean."""
    if name not in PROMISED_QUANTITIES:
        hint = did_you_mean(name, PROMISED_QUANTITIES)
        raise ValueError(
            f"unknown promised quantity {name!r}{hint}; known: request_deadline_ms, "
            "call_deadline_ms.TOOL, breaker_failure_threshold, breaker_cool_down_ms, "
            "bulkhead_slots.TOOL, tenant_slots.TOOL, rate_per_second.TOOL, "
            "tenant_rate_per_second.TOOL, rate_burst.TOOL, tenant_burst.TOOL, "
            "query_validator, query_validator_max_sql_bytes, audit_spool_max_bytes"
        )
    return name


_DECLARATION = {
    "request_deadline_ms": "a request deadline",
    "call_deadline_ms": "a call deadline for {tool}",
    "breaker_failure_threshold": "a breaker",
    "breaker_cool_down_ms": "a breaker",
    "bulkhead_slots": "a bulkhead for {tool}",
    "tenant_slots": "a bulkhead for {tool}",
    "rate_per_second": "a rate limit for {tool}",
    "tenant_rate_per_second": "a rate limit for {tool}",
    "rate_burst": "a rate limit for {tool}",
    "tenant_burst": "a rate limit for {tool}",
    "query_validator": "a query validator",
    "query_validator_max_sql_bytes": "a query validator's size cap",
    "audit_spool_max_bytes": "a bound on its audit spool",
}


def undeclared_reason(missing: set[str] | frozenset[str]) -> str:
    """`the system declares no bulkhead for direct_query` for quantities it leaves out."""
    things: list[str] = []
    for name in sorted(missing):
        kind, _, tool = name.partition(".")
        thing = _DECLARATION[kind].format(tool=tool).removeprefix("a ")
        if thing not in things:
            things.append(thing)
    return "the system declares no " + ", no ".join(things)


@dataclass(frozen=True)
class Resolved:
    """An expression's value under some promises; None when it reads `missing` quantities."""

    value: float | None
    missing: frozenset[str]
    unit: str = ""

    def written(self) -> int | float | str:
        """The value as the scenario file would write it (`20/s`, `4000ms`, 12)."""
        value = 1.0 if self.value is None else self.value  # a stand-in, only to validate
        if self.unit.startswith("/"):
            return f"{_plain(value)}{self.unit}"
        if self.unit:
            return f"{round(value * _SPAN_MS[self.unit])}ms"
        return int(value) if float(value).is_integer() else value


_SPAN_MS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000}


def _plain(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class PromiseExpression:
    text: str
    tree: ast.expr
    unit: str

    def resolve(self, promises: Promises) -> Resolved:
        """The value under `promises`, or what it misses when it has none."""
        try:
            value = _evaluate(self.tree, promises)
        except ZeroDivisionError:
            raise ValueError(f"{self.text!r} divides by zero") from None
        if math.isfinite(value):
            return Resolved(value, frozenset(), self.unit)
        undeclared = {n for n in _names(self.tree) if math.isinf(promises.promised(n))}
        if not undeclared:  # e.g. a huge product: no declaration would give it a value
            raise ValueError(f"{self.text!r} is not a finite number ({value})")
        return Resolved(None, frozenset(undeclared), self.unit)


def parse_expression(text: str) -> PromiseExpression:
    """`text` (starting with `=`) as an expression; a one-line ValueError if it is not one."""
    body = text.removeprefix(EXPRESSION_MARK).strip()
    unit_match = _UNIT.search(body)
    unit = ""
    if unit_match is not None:
        unit = f"/{unit_match['per']}" if unit_match["per"] else unit_match["span"]
        body = body[: unit_match.start()].strip()
    try:
        tree = ast.parse(body, mode="eval").body
    except SyntaxError:
        raise ValueError(f"expected an expression of {_SYNTAX}, got {text!r}") from None
    _check(tree, text)
    return PromiseExpression(text, tree, unit)


def _check(node: ast.AST, text: str) -> None:
    """Refuse every node outside the closed set (see the module's docstring)."""
    if (name := _dotted(node)) is not None:
        known_quantity(name)
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ValueError(f"expected a number, got {node.value!r} in {text!r}")
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        children: list[ast.AST] = [node.left, node.right]
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        children = [node.operand]
    elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        children = list(node.values)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and node.args
        and not node.keywords
    ):
        children = list(node.args)
    else:
        shown = ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__
        raise ValueError(f"expected an expression of {_SYNTAX}, got {shown!r} in {text!r}")
    for child in children:
        _check(child, text)


def _dotted(node: ast.AST) -> str | None:
    """`tenant_slots.direct_query` for the name (or attribute chain) that spells it."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (parent := _dotted(node.value)) is not None:
        return f"{parent}.{node.attr}"
    return None


def _evaluate(node: ast.AST, promises: Promises) -> float:
    """The value, an undeclared quantity being infinite (so `min(x, undeclared)` is x)."""
    if (name := _dotted(node)) is not None:
        return promises.promised(name)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.BoolOp):  # `or`: the first alternative that has a value
        values = (_evaluate(alternative, promises) for alternative in node.values)
        return next((value for value in values if math.isfinite(value)), math.inf)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, promises)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, promises), _evaluate(node.right, promises)
        return _OPERATORS[type(node.op)](left, right)
    values = [_evaluate(arg, promises) for arg in node.args]  # type: ignore[attr-defined]
    function = node.func.id  # type: ignore[attr-defined]
    if function not in ("min", "max") and not all(math.isfinite(v) for v in values):
        return math.inf  # ceil(infinity) has no integer value: still undeclared
    return float(_FUNCTIONS[function](*values))


def _names(node: ast.AST) -> set[str]:
    """Every quantity the expression reads."""
    if (name := _dotted(node)) is not None:
        return {name}
    children = node.args if isinstance(node, ast.Call) else ast.iter_child_nodes(node)
    return set().union(*(_names(child) for child in children))
