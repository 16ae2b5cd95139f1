"""Properties: the validator never raises, and whatever it accepts is one capped statement."""

from __future__ import annotations

import sqlglot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from orchestrator.safety import QueryValidation, validate_direct_query
from orchestrator.safety._row_limit import literal_limit

SQL_WORDS = [
    "SELECT", "FROM", "WHERE", "WITH", "AS", "UNION", "ALL", "VALUES", "INSERT", "INTO",
    "UPDATE", "DELETE", "DROP", "TABLE", "CREATE", "GRANT", "SET", "RESET", "COPY", "DO",
    "LIMIT", "OFFSET", "FETCH", "FIRST", "ROWS", "ONLY", "FOR", "SHARE", "ORDER", "BY",
    "GROUP", "HAVING", "JOIN", "ON", "LATERAL", "NOT", "AND", "OR", "IN", "IS", "NULL",
    "CASE", "WHEN", "THEN", "END", "pg_sleep", "count", "ops", "pg_class", "tenant_id",
    "services", "x", "1", "10", "99999", "'a'", "'globex'", "%s", "%(p)s", "$$", "$t$",
    "U&", "'", '"', "(", ")", "[", "]", ",", ";", ".", "::", "->", "->>", "@>", "*", "=",
    "<>", "||", "--", "/*", "*/", "\n", "E'\\''",
]  # fmt: skip

token_soup = st.lists(st.sampled_from(SQL_WORDS), max_size=30).map(" ".join)


def _assert_well_formed(result: QueryValidation, max_rows: int) -> None:
    assert isinstance(result, QueryValidation)
    if not result.is_safe:
        assert result.violations and result.sql is None
        return
    assert result.violations == ()
    statements = [s for s in sqlglot.parse(result.sql, read="postgres") if s is not None]
    assert len(statements) == 1
    limit = statements[0].args.get("limit")
    assert limit is not None
    count = literal_limit(limit)
    assert count is not None and count <= max_rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _assert_well_formed(validate_direct_query(text, tenant_id="acme"), 10000)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token_soup, st.integers(min_value=1, max_value=50_000))
# sqlglot renders this tree as text that reads back without its row limit
@example("SELECT FROM SELECT UPDATE", 100)
def test_never_raises_on_sql_token_soup(soup: str, max_rows: int) -> None:
    _assert_well_formed(validate_direct_query(soup, max_rows=max_rows, tenant_id="acme"), max_rows)


query_shapes = st.sampled_from(
    [
        "SELECT * FROM services",
        "SELECT * FROM services LIMIT {n}",
        "SELECT * FROM services FETCH FIRST {n} ROWS ONLY",
        "SELECT * FROM services ORDER BY id FETCH FIRST {n} ROWS WITH TIES",
        "SELECT * FROM services LIMIT %s",
        "SELECT * FROM services LIMIT ALL",
        "SELECT 1 UNION SELECT 2 LIMIT {n}",
        "VALUES (1), (2)",
        "(SELECT * FROM services LIMIT {n})",
        "WITH a AS (SELECT * FROM services LIMIT {n}) SELECT * FROM a",
        "SELECT * FROM services LIMIT {n} OFFSET 5",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    query_shapes,
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=1, max_value=10**6),
)
def test_accepted_queries_are_capped(shape: str, n: int, max_rows: int) -> None:
    result = validate_direct_query(shape.format(n=n), max_rows=max_rows)
    assert result.is_safe, result.violations
    _assert_well_formed(result, max_rows)
