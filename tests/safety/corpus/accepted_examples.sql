-- Short examples of accepted syntax, one feature each (names need not exist: the
-- rendered SQL is checked for syntax on Postgres, not run). See legitimate.sql for the
-- corpus that runs on the seeded ops schema.

-- name: plain_select
SELECT id, name FROM services

-- name: app_schema_qualified
SELECT s.service FROM ops.services s

-- name: quoted_app_schema
SELECT name FROM "ops"."services"

-- name: where_and_order
SELECT name FROM services WHERE tier = 'gold' ORDER BY name DESC

-- name: inner_join
SELECT s.service, h.host_id FROM services s JOIN hosts h ON h.service = s.service

-- name: left_join_using
SELECT * FROM deployments d LEFT JOIN services s USING (service_id)

-- name: count_group_having
SELECT service_id, count(*) FROM incidents GROUP BY service_id HAVING count(*) > 3

-- name: aggregate_filter
SELECT count(*) FILTER (WHERE severity = 'sev1') AS sev1, count(*) AS total FROM incidents

-- name: cte
WITH recent AS (SELECT * FROM incidents WHERE opened_at > now() - interval '7 days') SELECT count(*) FROM recent

-- name: recursive_cte
WITH RECURSIVE deps AS (SELECT service, depends_on FROM service_dependencies WHERE service = 'checkout' UNION ALL SELECT d.service, d.depends_on FROM service_dependencies d JOIN deps ON d.service = deps.depends_on) SELECT * FROM deps

-- name: window_row_number
SELECT name, row_number() OVER (PARTITION BY tier ORDER BY name) FROM services

-- name: window_lag_lead
SELECT ts, value - lag(value) OVER (ORDER BY ts), lead(value, 2) OVER w FROM metrics WINDOW w AS (ORDER BY ts)

-- name: window_rank_dense
SELECT rank() OVER (ORDER BY c DESC), dense_rank() OVER (ORDER BY c DESC), ntile(4) OVER (ORDER BY c) FROM t

-- name: window_first_value
SELECT first_value(name) OVER (PARTITION BY tier ORDER BY created_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM services

-- name: json_arrow
SELECT payload->'host'->>'name' FROM deployments

-- name: json_path_ops
SELECT payload #> '{a,b}', payload #>> '{a,b}' FROM deployments

-- name: jsonb_contains
SELECT * FROM deployments WHERE payload @> '{"status": "ok"}'

-- name: jsonb_key_exists
SELECT * FROM deployments WHERE payload ? 'rollback'

-- name: jsonb_builders
SELECT jsonb_build_object('id', id, 'name', name), json_agg(name) FROM services GROUP BY id, name

-- name: jsonb_array_elements_lateral
SELECT a.audit_id, e.value FROM audit_log a, LATERAL jsonb_array_elements(a.detail->'steps') AS e

-- name: lateral_subquery
SELECT s.service, x.c FROM services s CROSS JOIN LATERAL (SELECT count(*) AS c FROM incidents i WHERE i.service = s.service) x

-- name: case_when
SELECT CASE WHEN severity = 'sev1' THEN 'page' WHEN severity = 'sev2' THEN 'ticket' ELSE 'log' END FROM incidents

-- name: cast_syntaxes
SELECT CAST(id AS text), created_at::date, '42'::int FROM services

-- name: subquery_in
SELECT name FROM services WHERE id IN (SELECT service_id FROM incidents WHERE severity = 'sev1')

-- name: exists_subquery
SELECT service FROM services s WHERE EXISTS (SELECT 1 FROM incidents i WHERE i.service = s.service)

-- name: scalar_subquery
SELECT service, (SELECT max(opened_at) FROM incidents i WHERE i.service = s.service) FROM services s

-- name: union_all
SELECT name FROM services UNION ALL SELECT hostname FROM hosts

-- name: intersect
SELECT service_id FROM incidents INTERSECT SELECT service_id FROM deployments

-- name: except
SELECT id FROM services EXCEPT SELECT service_id FROM incidents

-- name: values_list
VALUES (1, 'a'), (2, 'b')

-- name: parenthesised_select
(SELECT name FROM services)

-- name: keyword_in_string
SELECT 'drop table x' AS note

-- name: statement_in_string
SELECT 'x; DELETE FROM services; --' AS note

-- name: keyword_as_quoted_identifier
SELECT "delete", "insert" FROM t

-- name: pg_in_string
SELECT name FROM services WHERE name LIKE 'pg_%'

-- name: date_functions
SELECT date_trunc('hour', opened_at), extract(epoch FROM closed_at - opened_at), age(closed_at, opened_at) FROM incidents

-- name: to_char_and_current_date
SELECT to_char(opened_at, 'YYYY-MM-DD'), current_date, current_timestamp FROM incidents

-- name: string_functions
SELECT lower(name), upper(name), length(name), substring(name FROM 1 FOR 3), trim(name), concat(name, '-', tier) FROM services

-- name: string_agg_array_agg
SELECT tier, string_agg(name, ', ' ORDER BY name), array_agg(id) FROM services GROUP BY tier

-- name: percentiles
SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms), percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) FROM requests

-- name: math_functions
SELECT round(avg(latency_ms)::numeric, 2), greatest(1, 2), least(3, 4), abs(-1), coalesce(NULL, 0), nullif(a, 0) FROM t

-- name: generate_series_from
SELECT g FROM generate_series(1, 10) AS g

-- name: generate_series_dates
SELECT d::date FROM generate_series(now() - interval '7 days', now(), interval '1 day') AS d

-- name: current_setting
SELECT current_setting('app.tenant_id')

-- name: named_placeholder
SELECT * FROM incidents WHERE service_id = %(service_id)s AND opened_at > %(since)s

-- name: positional_placeholder
SELECT * FROM incidents WHERE service_id = %s

-- name: limit_offset
SELECT * FROM incidents ORDER BY opened_at DESC LIMIT 20 OFFSET 40

-- name: fetch_first
SELECT * FROM incidents FETCH FIRST 5 ROWS ONLY

-- name: distinct_on
SELECT DISTINCT ON (service_id) service_id, opened_at FROM incidents ORDER BY service_id, opened_at DESC

-- name: trailing_semicolon
SELECT 1;

-- name: comments
-- the busiest services
SELECT name /* display */ FROM services

-- name: own_tenant_literal
SELECT * FROM services WHERE tenant_id = 'acme'

-- name: own_tenant_in_list
SELECT * FROM services WHERE tenant_id IN ('acme')

-- name: tenant_column_selected
SELECT tenant_id, count(*) FROM services GROUP BY tenant_id

-- name: escape_string
SELECT E'line\nbreak'

-- name: is_distinct_from
SELECT * FROM t WHERE a IS DISTINCT FROM b

-- name: between_and_like
SELECT * FROM incidents WHERE opened_at BETWEEN '2024-01-01' AND '2024-02-01' AND title ILIKE '%disk%'

-- name: regexp_and_split
SELECT regexp_replace(name, '[0-9]+', ''), split_part(hostname, '.', 1) FROM hosts

-- name: grouping_sets
SELECT tier, region, count(*) FROM services GROUP BY ROLLUP (tier, region)

-- name: array_ops
SELECT ARRAY[1, 2, 3] && ARRAY[2], cardinality(tags), unnest(tags) FROM services

-- name: interval_arithmetic
SELECT now() - interval '1 hour' * 3

-- name: own_tenant_row_compare
SELECT * FROM services WHERE (tenant_id, id) = ('acme', 1)

-- name: own_tenant_any_array_literal
SELECT * FROM services WHERE tenant_id = ANY('{acme}')

-- name: tenant_from_setting
SELECT * FROM services WHERE tenant_id = current_setting('app.tenant_id')

-- name: tenant_placeholder
SELECT * FROM services WHERE tenant_id = %(tenant)s

-- name: who_am_i
SELECT current_user, session_user, current_database()

-- name: regex_operators
SELECT id FROM services WHERE name ~ '^a' AND name !~* 'b' AND name SIMILAR TO '%(b|d)%'

-- name: window_range_frame
SELECT sum(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1 hour' PRECEDING AND CURRENT ROW) FROM t

-- name: at_time_zone_and_typed_literals
SELECT ts AT TIME ZONE 'UTC' FROM t WHERE ts > timestamp '2024-01-01 00:00'

-- name: jsonb_to_recordset
SELECT * FROM jsonb_to_recordset('[{"a":1}]') AS x(a int)

-- name: any_placeholder_array
SELECT * FROM incidents WHERE severity = ANY(%(sevs)s)

-- name: table_shorthand
TABLE services

-- name: nested_ctes_and_union
WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a UNION SELECT 2) SELECT sum(x) FROM b
