"""Every way Postgres calls a function is seen: attribute notation, reg* casts, operators.

Postgres runs `x.f` and `(expr).f` as `f(x)` when `f` is not a column of `x`, so each of
these is a call the function allowlist must judge; sqlglot reads them as field access.
"""

from __future__ import annotations

import psycopg
import pytest
from conftest import tenant_scope

from orchestrator.safety import validate_direct_query

TENANT = "acme"

ATTRIBUTE_CALLS: dict[str, str] = {
    "sleep_on_literal": "SELECT (1.0).pg_sleep",
    "ts_stat_runs_sql": (
        "SELECT (('SELECT to_tsvector(''simple'', query) FROM pg_stat_activity "
        "WHERE pid <> pg_backend_pid()').ts_stat).word"
    ),
    "advisory_lock_on_cast": (
        "SELECT count((g::bigint).pg_try_advisory_lock) FROM generate_series(1, 50000) g"
    ),
    "stat_on_regclass": "SELECT ('ops.incidents'::regclass).pg_stat_get_live_tuples",
    "cancel_backend_on_column": ("SELECT (h.n).pg_cancel_backend FROM (SELECT 1 AS n) h"),
    "cancel_backend_on_integer": "SELECT (42).pg_cancel_backend",
    "terminate_backend_on_table_alias": "SELECT i.pg_terminate_backend FROM incidents i",
    "function_on_unqualified_column": "SELECT tenant_id.length FROM services",
    "function_on_whole_row": "SELECT incidents.row_to_json FROM incidents",
    "function_on_schema_qualified_row": "SELECT ops.incidents.md5 FROM ops.incidents",
    "function_on_cte_row": "WITH c AS (SELECT 1 AS n) SELECT c.pg_sleep FROM c",
    "function_on_derived_column": "SELECT x.pg_sleep FROM (SELECT 1 AS n) x",
    "function_on_series_alias": "SELECT g.pg_advisory_lock FROM generate_series(1, 3) g",
    "quoted_function_name": 'SELECT i."pg_cancel_backend" FROM incidents i',
    "nested_attribute": "SELECT ((1).pg_sleep).x",
    "attribute_in_where": "SELECT 1 FROM incidents i WHERE (i.incident_id).pg_sleep IS NULL",
    "attribute_on_function_result": "SELECT (now()).pg_sleep",
}


@pytest.mark.parametrize("query", ATTRIBUTE_CALLS.values(), ids=ATTRIBUTE_CALLS.keys())
def test_attribute_notation_call_is_refused(query: str) -> None:
    result = validate_direct_query(query, tenant_id=TENANT)
    assert not result.is_safe, result.sql
    assert set(result.codes) & {"attribute_call", "unknown_column"}, result.codes


REG_CASTS: dict[str, str] = {
    "regclass": "SELECT 'ops.incidents'::regclass",
    "regclass_to_oid": "SELECT 'ops.incidents'::regclass::oid",
    "regproc": "SELECT 'pg_sleep'::regproc",
    "regprocedure": "SELECT 'pg_sleep(double precision)'::regprocedure",
    "regoper": "SELECT '+'::regoper",
    "regoperator": "SELECT '+(int4,int4)'::regoperator",
    "regtype": "SELECT 'int4'::regtype",
    "regnamespace": "SELECT 'ops'::regnamespace",
    "regrole": "SELECT 'postgres'::regrole",
    "regconfig": "SELECT 'english'::regconfig",
    "regdictionary": "SELECT 'simple'::regdictionary",
    "regcollation": "SELECT '\"C\"'::regcollation",
    "cast_syntax": "SELECT CAST('ops.incidents' AS regclass)",
    "typed_literal": "SELECT regclass 'ops.incidents'",
    "quoted_type": "SELECT 'ops.incidents'::\"regclass\"",
    "qualified_type": "SELECT 'ops.incidents'::pg_catalog.regclass",
    "oid_type": "SELECT 1259::oid",
}


@pytest.mark.parametrize("query", REG_CASTS.values(), ids=REG_CASTS.keys())
def test_cast_to_object_identifier_type_is_refused(query: str) -> None:
    result = validate_direct_query(query, tenant_id=TENANT)
    assert not result.is_safe, result.sql
    assert "forbidden_type" in result.codes, result.codes


OPERATOR_TRICKS: dict[str, tuple[str, str]] = {
    "explicit_operator": ("SELECT 1 OPERATOR(pg_catalog.+) 2", "unsupported_syntax"),
    "u_amp_identifier": ('SELECT U&"pg\\005fsleep" FROM incidents', "unicode_escape"),
}


@pytest.mark.parametrize(("query", "code"), OPERATOR_TRICKS.values(), ids=OPERATOR_TRICKS.keys())
def test_operator_syntax_outside_the_allowlist_is_refused(query: str, code: str) -> None:
    result = validate_direct_query(query, tenant_id=TENANT)
    assert not result.is_safe, result.sql
    assert code in result.codes, result.codes


FORMERLY_REFUSED: dict[str, str] = {
    "tstzrange_overlap": (
        "SELECT incident_id FROM incidents WHERE tstzrange(opened_at, resolved_at) "
        "&& tstzrange(now() - interval '7 days', now())"
    ),
    "int4range_contains": "SELECT int4range(1, 10) @> 3, 3 <@ int4range(1, 10)",
    "daterange_contains": (
        "SELECT count(*) FROM deployments WHERE daterange('2025-12-01', '2026-01-02') "
        "@> deployed_at::date"
    ),
    "full_text_search": (
        "SELECT incident_id, ts_rank(to_tsvector('english', title), "
        "plainto_tsquery('english', 'disk')) AS rank, "
        "ts_headline('english', title, to_tsquery('english', 'disk')) FROM incidents "
        "WHERE to_tsvector('english', title) @@ websearch_to_tsquery('english', 'disk full')"
    ),
    "grouping_function": (
        "SELECT service, severity, GROUPING(service, severity), count(*) FROM incidents "
        "GROUP BY ROLLUP (service, severity)"
    ),
    "any_value": "SELECT service, any_value(title) FROM incidents GROUP BY service",
    "dollar_quoted": "SELECT count(*) FROM incidents WHERE title <> $$it's fine$$",
    "dollar_quoted_tag": "SELECT $q$a 'quoted' word$q$ AS note",
    "unicode_string": "SELECT U&'d\\0061ta' AS word",
}


@pytest.mark.parametrize("query", FORMERLY_REFUSED.values(), ids=FORMERLY_REFUSED.keys())
def test_legitimate_feature_is_accepted(query: str) -> None:
    result = validate_direct_query(query, tenant_id=TENANT)
    assert result.is_safe, result.violations


def test_ts_stat_is_not_allowed_even_when_called_plainly() -> None:
    result = validate_direct_query("SELECT * FROM ts_stat('SELECT 1')", tenant_id=TENANT)
    assert "forbidden_function" in result.codes


def test_dollar_quoted_text_is_rendered_as_a_plain_literal() -> None:
    result = validate_direct_query("SELECT $t$ a ; DROP TABLE t; $t$ AS note", tenant_id=TENANT)
    assert result.sql == "SELECT ' a ; DROP TABLE t; ' AS note LIMIT 10000"


def test_input_over_the_size_limit_is_refused_before_parsing() -> None:
    from orchestrator.safety import MAX_QUERY_BYTES

    query = "SELECT 1" + "+1" * (MAX_QUERY_BYTES // 2)
    result = validate_direct_query(query, tenant_id=TENANT)
    assert result.codes == ("too_long",)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("attribute_form", "call_form"),
    [
        ("SELECT ('abc').md5", "SELECT md5('abc')"),
        ("SELECT (t.v).upper FROM (SELECT 'a'::text AS v) t", "SELECT upper('a')"),
        ("SELECT i.row_to_json::text FROM ops.incidents i LIMIT 1", None),
    ],
)
def test_postgres_runs_attribute_notation_as_a_call_and_the_validator_refuses_it(
    reader: psycopg.Connection, attribute_form: str, call_form: str | None
) -> None:
    # The threat is real: Postgres resolves `x.f` to f(x) when f is not a column of x.
    with tenant_scope(reader):
        got = reader.execute(attribute_form).fetchall()
        if call_form is not None:
            assert got == reader.execute(call_form).fetchall()
    assert not validate_direct_query(attribute_form, tenant_id=TENANT).is_safe
