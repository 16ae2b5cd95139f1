"""Hypothesis strategies that compose SQL from fragments of the hostile classes.

Not a full grammar: enough structure (expressions, FROM items, clauses, CTEs) that most
examples reach the deep checks, mixed with the tricks the hostile corpus lists (attribute
calls, reg* casts, forbidden functions, stacked statements, comments, odd quoting), plus
character-level damage so the tokenizer and parser see broken input too.
"""

from __future__ import annotations

import sqlglot
from hypothesis import strategies as st
from sqlglot.tokens import TokenType

# Functions that must never be callable, however they are spelled.
FORBIDDEN_FUNCTIONS = (
    "pg_sleep", "ts_stat", "pg_cancel_backend", "pg_terminate_backend",
    "pg_try_advisory_lock", "pg_advisory_lock", "pg_stat_get_live_tuples", "query_to_xml",
    "lo_import", "pg_read_file", "dblink", "set_config", "pg_backend_pid",
)  # fmt: skip
ALLOWED_FUNCTIONS = (
    "count", "sum", "lower", "upper", "length", "coalesce", "now", "date_trunc",
    "to_tsvector", "to_tsquery", "tstzrange", "int4range", "jsonb_build_object", "md5",
    "generate_series", "unnest", "row_to_json", "ROW", "grouping", "any_value",
)  # fmt: skip
RELATIONS = ("incidents", "services", "hosts", "deployments", "audit_log", "ops.incidents")
ALIASES = ("i", "s", "x", "g", "c", "t", "incidents")
COLUMNS = (
    "service", "severity", "title", "opened_at", "tenant_id", "detail", "incident_id",
    "status", "tier", "n", "g", "key", "value", "*",
)  # fmt: skip
TYPES = (
    "int", "bigint", "text", "numeric", "date", "timestamptz", "interval", "jsonb",
    "tstzrange", "tsvector", "regclass", "regproc", "regtype", "oid", "\"regclass\"",
    "pg_catalog.regclass", "xml", "int[]", "anyelement",
)  # fmt: skip
OPERATORS = (
    "+", "-", "*", "/", "%", "=", "<>", "<", ">=", "||", "&&", "@>", "<@", "@@", "->",
    "->>", "#>", "?", "~", "!~*", "AND", "OR", "LIKE", "IS DISTINCT FROM", "OPERATOR(pg_catalog.+)",
)  # fmt: skip
LITERALS = (
    "1", "1.0", "-5", "'a'", "'globex'", "'acme'", "$$x$$", "$t$ ; DROP TABLE t; $t$",
    "U&'d\\0061t'", "U&\"pg\\005fsleep\"", "E'\\''", "NULL", "true", "%s", "%(p)s",
    "interval '1 day'", "ARRAY[1, 2]", "'{\"a\": 1}'::jsonb", "'ops.incidents'",
)  # fmt: skip
NOISE = (
    ";", " ; SELECT 1", "/* ; */", "-- x\n", "\n", "(", ")", "'", '"', "$$", "U&", ".",
    "::", "[", "]", ",", " FOR UPDATE", " INTO t", "\x00", "\ud800", "é",
)  # fmt: skip

names = st.sampled_from(FORBIDDEN_FUNCTIONS + ALLOWED_FUNCTIONS)
columns = st.builds(
    lambda q, c: f"{q}.{c}" if q else c,
    st.sampled_from(("",) + ALIASES + ("ops.incidents", "tenant_id")),
    st.sampled_from(COLUMNS + FORBIDDEN_FUNCTIONS[:4] + ('"pg_sleep"',)),
)
atoms = st.one_of(st.sampled_from(LITERALS), columns)
# Subqueries inside expressions and FROM stay shallow, so examples stay small and fast.
inner_selects = st.builds(
    lambda e, r, a, w: f"SELECT {e} FROM {r} {a}" + (f" WHERE {w}" if w else ""),
    atoms,
    st.sampled_from(RELATIONS),
    st.sampled_from(ALIASES),
    st.none() | atoms,
)


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda f, args: f"{f}({', '.join(args)})", names, st.lists(inner, max_size=3)),
        st.builds(
            lambda e, f: f"({e}).{f}", inner, st.sampled_from(FORBIDDEN_FUNCTIONS + ("*", "word"))
        ),
        st.builds(lambda e, t: f"{e}::{t}", inner, st.sampled_from(TYPES)),
        st.builds(lambda e, t: f"CAST({e} AS {t})", inner, st.sampled_from(TYPES)),
        st.builds(lambda a, o, b: f"{a} {o} {b}", inner, st.sampled_from(OPERATORS), inner),
        st.builds(lambda c, a, b: f"CASE WHEN {c} THEN {a} ELSE {b} END", inner, inner, inner),
        st.builds(lambda e: f"({e})[1]", inner),
        st.builds(lambda e: f'{e} COLLATE "C"', inner),
        st.builds(lambda e: f"{e} AT TIME ZONE 'UTC'", inner),
        st.builds(lambda e: f"count({e}) FILTER (WHERE {e} IS NULL)", inner),
        st.builds(lambda e, c: f"sum({e}) OVER (PARTITION BY {c} ORDER BY {c})", inner, columns),
        st.builds(lambda q: f"({q})", inner_selects),
        st.builds(lambda q: f"EXISTS ({q})", inner_selects),
    )


expressions = st.recursive(atoms, _extend, max_leaves=6)
from_items = st.one_of(
    st.builds(lambda r, a: f"{r} {a}", st.sampled_from(RELATIONS), st.sampled_from(ALIASES)),
    st.builds(lambda f, a: f"{f}(1, 3) {a}", names, st.sampled_from(ALIASES)),
    st.builds(lambda q, a: f"({q}) {a}", inner_selects, st.sampled_from(ALIASES)),
    st.builds(lambda q, a: f"LATERAL ({q}) {a}", inner_selects, st.sampled_from(ALIASES)),
    st.just("(VALUES (1), (2)) AS v(n)"),
    st.just("unnest(ARRAY[1]) WITH ORDINALITY AS t(x, n)"),
    st.just("pg_stat_activity"),
)
selects = st.builds(
    lambda exprs, frm, where, group, tail: (
        f"SELECT {', '.join(exprs)}"
        + (f" FROM {', '.join(frm)}" if frm else "")
        + (f" WHERE {where}" if where else "")
        + (f" GROUP BY {group}" if group else "")
        + tail
    ),
    st.lists(expressions, min_size=1, max_size=3),
    st.lists(from_items, max_size=2),
    st.none() | expressions,
    st.none() | st.sampled_from(("1", "ROLLUP (1)", "GROUPING SETS ((1), ())", "service")),
    st.sampled_from(("", " LIMIT 5", " ORDER BY 1", " FOR UPDATE", " OFFSET 2", " LIMIT ALL")),
)
statements = st.one_of(
    selects,
    st.builds(lambda a, q: f"WITH c AS ({a}) {q}", selects, selects),
    st.builds(lambda q: f"WITH d AS (DELETE FROM incidents RETURNING *) {q}", selects),
    st.builds(lambda a, b: f"{a} UNION ALL {b}", selects, selects),
    st.builds(lambda q: f"TABLE {q}", st.sampled_from(RELATIONS)),
    st.sampled_from(("SET ROLE postgres", "DO $$ BEGIN END $$", "LISTEN ch", "RESET ALL")),
)


def _damage(sql: str, cuts: list[tuple[int, str]]) -> str:
    for position, noise in cuts:
        at = position % (len(sql) + 1)
        sql = sql[:at] + noise + sql[at:]
    return sql


hostile_sql = st.one_of(
    statements,
    st.builds(
        _damage,
        statements,
        st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(NOISE)), max_size=3),
    ),
)


def forbidden_calls_in(sql: str) -> set[str]:
    """Forbidden function names written as a call, `f(...)`, or as an attribute, `x.f`.

    A bare name is a column reference to Postgres, never a call, so it does not count.
    """
    tokens = sqlglot.tokenize(sql, read="postgres")
    found = set()
    for before, token, after in zip([None, *tokens[:-1]], tokens, [*tokens[1:], None], strict=True):
        if token.token_type not in (TokenType.VAR, TokenType.IDENTIFIER):
            continue
        called = after is not None and after.token_type == TokenType.L_PAREN
        attribute = before is not None and before.token_type == TokenType.DOT
        if (called or attribute) and token.text.lower() in FORBIDDEN_FUNCTIONS:
            found.add(token.text.lower())
    return found
