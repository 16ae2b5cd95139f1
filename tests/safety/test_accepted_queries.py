"""Ordinary analytical queries the validator must accept, with the SQL it hands back."""

from __future__ import annotations

import pytest
import sqlglot

from orchestrator.safety import validate_direct_query

TENANT = "acme"

SAFE_QUERIES: dict[str, str] = {
    "plain_select": "SELECT id, name FROM services",
    "app_schema_qualified": "SELECT s.service FROM ops.services s",
    "quoted_app_schema": 'SELECT name FROM "ops"."services"',
    "where_and_order": "SELECT name FROM services WHERE tier = 'gold' ORDER BY name DESC",
    "inner_join": "SELECT s.service, h.host_id FROM services s JOIN hosts h ON h.service = s.service",
    "left_join_using": "SELECT * FROM deployments d LEFT JOIN services s USING (service_id)",
    "count_group_having": "SELECT service_id, count(*) FROM incidents GROUP BY service_id HAVING count(*) > 3",
    "aggregate_filter": "SELECT count(*) FILTER (WHERE severity = 'sev1') AS sev1, count(*) AS total FROM incidents",
    "cte": "WITH recent AS (SELECT * FROM incidents WHERE opened_at > now() - interval '7 days') SELECT count(*) FROM recent",
    "recursive_cte": (
        "WITH RECURSIVE deps AS (SELECT service, depends_on FROM service_dependencies WHERE service = 'checkout' "
        "UNION ALL SELECT d.service, d.depends_on FROM service_dependencies d JOIN deps ON d.service = deps.depends_on) "
        "SELECT * FROM deps"
    ),
    "window_row_number": "SELECT name, row_number() OVER (PARTITION BY tier ORDER BY name) FROM services",
    "window_lag_lead": "SELECT ts, value - lag(value) OVER (ORDER BY ts), lead(value, 2) OVER w FROM metrics WINDOW w AS (ORDER BY ts)",
    "window_rank_dense": "SELECT rank() OVER (ORDER BY c DESC), dense_rank() OVER (ORDER BY c DESC), ntile(4) OVER (ORDER BY c) FROM t",
    "window_first_value": "SELECT first_value(name) OVER (PARTITION BY tier ORDER BY created_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM services",
    "json_arrow": "SELECT payload->'host'->>'name' FROM deployments",
    "json_path_ops": "SELECT payload #> '{a,b}', payload #>> '{a,b}' FROM deployments",
    "jsonb_contains": """SELECT * FROM deployments WHERE payload @> '{"status": "ok"}'""",
    "jsonb_key_exists": "SELECT * FROM deployments WHERE payload ? 'rollback'",
    "jsonb_builders": "SELECT jsonb_build_object('id', id, 'name', name), json_agg(name) FROM services GROUP BY id, name",
    "jsonb_array_elements_lateral": "SELECT a.audit_id, e.value FROM audit_log a, LATERAL jsonb_array_elements(a.detail->'steps') AS e",
    "lateral_subquery": "SELECT s.service, x.c FROM services s CROSS JOIN LATERAL (SELECT count(*) AS c FROM incidents i WHERE i.service = s.service) x",
    "case_when": "SELECT CASE WHEN severity = 'sev1' THEN 'page' WHEN severity = 'sev2' THEN 'ticket' ELSE 'log' END FROM incidents",
    "cast_syntaxes": "SELECT CAST(id AS text), created_at::date, '42'::int FROM services",
    "subquery_in": "SELECT name FROM services WHERE id IN (SELECT service_id FROM incidents WHERE severity = 'sev1')",
    "exists_subquery": "SELECT service FROM services s WHERE EXISTS (SELECT 1 FROM incidents i WHERE i.service = s.service)",
    "scalar_subquery": "SELECT service, (SELECT max(opened_at) FROM incidents i WHERE i.service = s.service) FROM services s",
    "union_all": "SELECT name FROM services UNION ALL SELECT hostname FROM hosts",
    "intersect": "SELECT service_id FROM incidents INTERSECT SELECT service_id FROM deployments",
    "except": "SELECT id FROM services EXCEPT SELECT service_id FROM incidents",
    "values_list": "VALUES (1, 'a'), (2, 'b')",
    "parenthesised_select": "(SELECT name FROM services)",
    "keyword_in_string": "SELECT 'drop table x' AS note",
    "statement_in_string": "SELECT 'x; DELETE FROM services; --' AS note",
    "keyword_as_quoted_identifier": 'SELECT "delete", "insert" FROM t',
    "pg_in_string": "SELECT name FROM services WHERE name LIKE 'pg_%'",
    "date_functions": "SELECT date_trunc('hour', opened_at), extract(epoch FROM closed_at - opened_at), age(closed_at, opened_at) FROM incidents",
    "to_char_and_current_date": "SELECT to_char(opened_at, 'YYYY-MM-DD'), current_date, current_timestamp FROM incidents",
    "string_functions": "SELECT lower(name), upper(name), length(name), substring(name FROM 1 FOR 3), trim(name), concat(name, '-', tier) FROM services",
    "string_agg_array_agg": "SELECT tier, string_agg(name, ', ' ORDER BY name), array_agg(id) FROM services GROUP BY tier",
    "percentiles": "SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms), percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) FROM requests",
    "math_functions": "SELECT round(avg(latency_ms)::numeric, 2), greatest(1, 2), least(3, 4), abs(-1), coalesce(NULL, 0), nullif(a, 0) FROM t",
    "generate_series_from": "SELECT g FROM generate_series(1, 10) AS g",
    "generate_series_dates": "SELECT d::date FROM generate_series(now() - interval '7 days', now(), interval '1 day') AS d",
    "current_setting": "SELECT current_setting('app.tenant_id')",
    "named_placeholder": "SELECT * FROM incidents WHERE service_id = %(service_id)s AND opened_at > %(since)s",
    "positional_placeholder": "SELECT * FROM incidents WHERE service_id = %s",
    "limit_offset": "SELECT * FROM incidents ORDER BY opened_at DESC LIMIT 20 OFFSET 40",
    "fetch_first": "SELECT * FROM incidents FETCH FIRST 5 ROWS ONLY",
    "distinct_on": "SELECT DISTINCT ON (service_id) service_id, opened_at FROM incidents ORDER BY service_id, opened_at DESC",
    "trailing_semicolon": "SELECT 1;",
    "comments": "-- the busiest services\nSELECT name /* display */ FROM services",
    "own_tenant_literal": "SELECT * FROM services WHERE tenant_id = 'acme'",
    "own_tenant_in_list": "SELECT * FROM services WHERE tenant_id IN ('acme')",
    "tenant_column_selected": "SELECT tenant_id, count(*) FROM services GROUP BY tenant_id",
    "escape_string": r"SELECT E'line\nbreak'",
    "is_distinct_from": "SELECT * FROM t WHERE a IS DISTINCT FROM b",
    "between_and_like": "SELECT * FROM incidents WHERE opened_at BETWEEN '2024-01-01' AND '2024-02-01' AND title ILIKE '%disk%'",
    "regexp_and_split": "SELECT regexp_replace(name, '[0-9]+', ''), split_part(hostname, '.', 1) FROM hosts",
    "grouping_sets": "SELECT tier, region, count(*) FROM services GROUP BY ROLLUP (tier, region)",
    "array_ops": "SELECT ARRAY[1, 2, 3] && ARRAY[2], cardinality(tags), unnest(tags) FROM services",
    "interval_arithmetic": "SELECT now() - interval '1 hour' * 3",
    "own_tenant_row_compare": "SELECT * FROM services WHERE (tenant_id, id) = ('acme', 1)",
    "own_tenant_any_array_literal": "SELECT * FROM services WHERE tenant_id = ANY('{acme}')",
    "tenant_from_setting": "SELECT * FROM services WHERE tenant_id = current_setting('app.tenant_id')",
    "tenant_placeholder": "SELECT * FROM services WHERE tenant_id = %(tenant)s",
    "who_am_i": "SELECT current_user, session_user, current_database()",
    "regex_operators": "SELECT id FROM services WHERE name ~ '^a' AND name !~* 'b' AND name SIMILAR TO '%(b|d)%'",
    "window_range_frame": "SELECT sum(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1 hour' PRECEDING AND CURRENT ROW) FROM t",
    "at_time_zone_and_typed_literals": "SELECT ts AT TIME ZONE 'UTC' FROM t WHERE ts > timestamp '2024-01-01 00:00'",
    "jsonb_to_recordset": """SELECT * FROM jsonb_to_recordset('[{"a":1}]') AS x(a int)""",
    "any_placeholder_array": "SELECT * FROM incidents WHERE severity = ANY(%(sevs)s)",
    "table_shorthand": "TABLE services",
    "nested_ctes_and_union": "WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a UNION SELECT 2) SELECT sum(x) FROM b",
}


@pytest.mark.parametrize("query", SAFE_QUERIES.values(), ids=SAFE_QUERIES.keys())
def test_accepts_analytical_query(query: str) -> None:
    result = validate_direct_query(query, tenant_id=TENANT)
    assert result.is_safe, [v.message for v in result.violations]
    assert result.violations == ()
    statements = [s for s in sqlglot.parse(result.sql, read="postgres") if s is not None]
    assert len(statements) == 1


def test_placeholders_survive_unchanged() -> None:
    result = validate_direct_query("SELECT * FROM t WHERE a = %(a)s AND b = %s AND c = %(c_2)s")
    assert result.sql is not None
    assert "%(a)s" in result.sql and "%s" in result.sql and "%(c_2)s" in result.sql


def test_string_literal_content_is_preserved() -> None:
    result = validate_direct_query("SELECT 'x; DELETE FROM services; --' AS note")
    assert result.sql == "SELECT 'x; DELETE FROM services; --' AS note LIMIT 10000"


def test_comments_are_dropped_from_output() -> None:
    result = validate_direct_query("SELECT 1 /* hidden */ -- trailing\n")
    assert result.sql == "SELECT 1 LIMIT 10000"
