-- Dashboard-style analytical queries over the ops schema that the validator must accept.
-- Each entry starts with a `-- name:` line; the query runs until the next entry.
-- Every accepted query is also executed on a seeded Postgres as the reader role.

-- name: services_by_tier
SELECT tier, count(*) AS services FROM services GROUP BY tier ORDER BY services DESC

-- name: services_by_team
SELECT owner_team, string_agg(service, ', ' ORDER BY service) AS services FROM services GROUP BY owner_team

-- name: hosts_per_region
SELECT region, count(*) FILTER (WHERE status = 'healthy') AS healthy, count(*) AS total FROM hosts GROUP BY region

-- name: hosts_per_service_and_region
SELECT service, region, count(*) FROM hosts GROUP BY service, region ORDER BY service, region

-- name: unhealthy_hosts
SELECT h.host_id, h.service, h.region FROM hosts h WHERE h.status <> 'healthy' ORDER BY h.service

-- name: open_incidents
SELECT incident_id, service, severity, title, opened_at FROM incidents WHERE status = 'open' ORDER BY opened_at DESC

-- name: open_incidents_by_severity
SELECT severity, count(*) FROM incidents WHERE status = 'open' GROUP BY severity ORDER BY severity

-- name: incidents_per_day
SELECT date_trunc('day', opened_at) AS day, count(*) FROM incidents GROUP BY 1 ORDER BY 1

-- name: incidents_per_week_and_severity
SELECT date_trunc('week', opened_at) AS week, severity, count(*) FROM incidents GROUP BY 1, 2 ORDER BY 1, 2

-- name: mean_time_to_resolve
SELECT service, avg(resolved_at - opened_at) AS mttr FROM incidents WHERE resolved_at IS NOT NULL GROUP BY service

-- name: mttr_hours
SELECT service, round((avg(extract(epoch FROM resolved_at - opened_at)) / 3600)::numeric, 2) AS mttr_hours FROM incidents WHERE status = 'resolved' GROUP BY service ORDER BY mttr_hours DESC NULLS LAST

-- name: p95_resolution
SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - opened_at)) AS p95_seconds FROM incidents WHERE resolved_at IS NOT NULL

-- name: median_resolution_per_severity
SELECT severity, percentile_disc(0.5) WITHIN GROUP (ORDER BY resolved_at - opened_at) AS median FROM incidents WHERE resolved_at IS NOT NULL GROUP BY severity

-- name: longest_open
SELECT incident_id, title, now() - opened_at AS open_for FROM incidents WHERE status = 'open' ORDER BY open_for DESC LIMIT 10

-- name: incidents_with_service_tier
SELECT i.incident_id, i.severity, s.tier, s.owner_team FROM incidents i JOIN services s ON s.tenant_id = i.tenant_id AND s.service = i.service

-- name: sev1_by_team
SELECT s.owner_team, count(*) AS sev1 FROM incidents i JOIN services s USING (tenant_id, service) WHERE i.severity = 'sev1' GROUP BY s.owner_team

-- name: services_without_incidents
SELECT s.service FROM services s LEFT JOIN incidents i ON i.service = s.service AND i.tenant_id = s.tenant_id WHERE i.incident_id IS NULL

-- name: services_without_incidents_not_exists
SELECT s.service FROM services s WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.service = s.service)

-- name: services_with_open_incidents_in
SELECT service, tier FROM services WHERE service IN (SELECT service FROM incidents WHERE status = 'open')

-- name: latest_deployment_per_service
SELECT DISTINCT ON (service) service, version, deployed_at FROM deployments ORDER BY service, deployed_at DESC

-- name: latest_deployment_row_number
SELECT service, version, deployed_at FROM (SELECT d.*, row_number() OVER (PARTITION BY d.service ORDER BY d.deployed_at DESC) AS rn FROM deployments d) ranked WHERE rn = 1

-- name: deployments_per_day
SELECT deployed_at::date AS day, count(*) FROM deployments GROUP BY day ORDER BY day

-- name: deployment_failure_rate
SELECT service, avg((status = 'failed')::int)::numeric(5, 3) AS failure_rate FROM deployments GROUP BY service

-- name: deployment_status_mix
SELECT service, count(*) FILTER (WHERE status = 'succeeded') AS ok, count(*) FILTER (WHERE status <> 'succeeded') AS not_ok FROM deployments GROUP BY service

-- name: time_between_deployments
SELECT service, deployed_at, deployed_at - lag(deployed_at) OVER (PARTITION BY service ORDER BY deployed_at) AS gap FROM deployments

-- name: next_deployment
SELECT service, version, lead(version) OVER (PARTITION BY service ORDER BY deployed_at) AS next_version FROM deployments

-- name: deployment_rank
SELECT service, version, rank() OVER (PARTITION BY service ORDER BY deployed_at DESC) FROM deployments

-- name: dense_rank_services_by_incidents
SELECT service, n, dense_rank() OVER (ORDER BY n DESC) FROM (SELECT service, count(*) AS n FROM incidents GROUP BY service) c

-- name: ntile_of_incident_counts
SELECT service, n, ntile(4) OVER (ORDER BY n) AS quartile FROM (SELECT service, count(*) AS n FROM incidents GROUP BY service) c

-- name: running_incident_total
SELECT opened_at, count(*) OVER (ORDER BY opened_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM incidents

-- name: rolling_seven_day_incidents
SELECT day, sum(n) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS last_7 FROM (SELECT opened_at::date AS day, count(*) AS n FROM incidents GROUP BY 1) d

-- name: range_window_frame
SELECT opened_at, count(*) OVER (ORDER BY opened_at RANGE BETWEEN interval '1 day' PRECEDING AND CURRENT ROW) FROM incidents

-- name: named_window
SELECT service, opened_at, row_number() OVER w, first_value(title) OVER w FROM incidents WINDOW w AS (PARTITION BY service ORDER BY opened_at)

-- name: last_value_full_frame
SELECT service, last_value(title) OVER (PARTITION BY service ORDER BY opened_at ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM incidents

-- name: nth_value_second_incident
SELECT DISTINCT service, nth_value(title, 2) OVER (PARTITION BY service ORDER BY opened_at ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM incidents

-- name: percent_rank_and_cume_dist
SELECT service, n, percent_rank() OVER (ORDER BY n), cume_dist() OVER (ORDER BY n) FROM (SELECT service, count(*) AS n FROM deployments GROUP BY service) c

-- name: window_with_filter_aggregate
SELECT service, count(*) FILTER (WHERE severity = 'sev1') OVER (PARTITION BY service) FROM incidents

-- name: cte_counts
WITH per_service AS (SELECT service, count(*) AS n FROM incidents GROUP BY service) SELECT service, n FROM per_service WHERE n > 1 ORDER BY n DESC

-- name: cte_join
WITH opened AS (SELECT service, count(*) AS n FROM incidents GROUP BY service), shipped AS (SELECT service, count(*) AS n FROM deployments GROUP BY service) SELECT s.service, coalesce(o.n, 0) AS incidents, coalesce(d.n, 0) AS deployments FROM services s LEFT JOIN opened o ON o.service = s.service LEFT JOIN shipped d ON d.service = s.service

-- name: cte_with_column_list
WITH c(svc, total) AS (SELECT service, count(*) FROM incidents GROUP BY service) SELECT c.svc, c.total FROM c ORDER BY c.total DESC

-- name: cte_star
WITH recent AS (SELECT * FROM incidents WHERE opened_at > now() - interval '30 days') SELECT recent.service, count(*) FROM recent GROUP BY recent.service

-- name: recursive_dependencies
WITH RECURSIVE deps AS (SELECT service, depends_on, 1 AS depth FROM service_dependencies UNION ALL SELECT d.service, sd.depends_on, d.depth + 1 FROM deps d JOIN service_dependencies sd ON sd.service = d.depends_on WHERE d.depth < 5) SELECT service, count(DISTINCT depends_on) AS transitive FROM deps GROUP BY service

-- name: recursive_series
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n

-- name: dependency_fan_in
SELECT depends_on, count(*) AS dependents FROM service_dependencies GROUP BY depends_on ORDER BY dependents DESC

-- name: dependency_fan_out
SELECT service, array_agg(depends_on ORDER BY depends_on) FROM service_dependencies GROUP BY service

-- name: dependency_self_join
SELECT a.service, b.depends_on AS two_hops FROM service_dependencies a JOIN service_dependencies b ON b.service = a.depends_on

-- name: incidents_on_dependencies
SELECT sd.service, count(i.incident_id) AS upstream_incidents FROM service_dependencies sd LEFT JOIN incidents i ON i.service = sd.depends_on GROUP BY sd.service

-- name: rollup_team_tier
SELECT owner_team, tier, count(*) FROM services GROUP BY ROLLUP (owner_team, tier)

-- name: cube_severity_status
SELECT severity, status, count(*) FROM incidents GROUP BY CUBE (severity, status)

-- name: grouping_sets
SELECT service, severity, count(*) FROM incidents GROUP BY GROUPING SETS ((service), (severity), ())

-- name: grouping_function
SELECT CASE WHEN GROUPING(region) = 1 THEN 'all' ELSE region END AS region, count(*) FROM hosts GROUP BY ROLLUP (region)

-- name: grouping_two_columns
SELECT service, region, GROUPING(service, region) AS level, count(*) FROM hosts GROUP BY CUBE (service, region)

-- name: any_value_title
SELECT service, any_value(title) AS example, count(*) FROM incidents GROUP BY service

-- name: having_filter
SELECT service FROM incidents GROUP BY service HAVING count(*) FILTER (WHERE severity = 'sev1') >= 1

-- name: bool_aggregates
SELECT service, bool_and(status = 'resolved') AS all_resolved, bool_or(severity = 'sev1') AS any_sev1 FROM incidents GROUP BY service

-- name: every_aggregate
SELECT service, every(resolved_at IS NOT NULL) FROM incidents GROUP BY service

-- name: stddev_of_resolution
SELECT service, stddev(extract(epoch FROM resolved_at - opened_at)), variance(extract(epoch FROM resolved_at - opened_at)) FROM incidents GROUP BY service

-- name: regression_incidents_over_time
SELECT regr_slope(n, extract(epoch FROM day)), regr_intercept(n, extract(epoch FROM day)), corr(n, extract(epoch FROM day)) FROM (SELECT opened_at::date::timestamp AS day, count(*) AS n FROM incidents GROUP BY 1) d

-- name: mode_severity
SELECT mode() WITHIN GROUP (ORDER BY severity) FROM incidents

-- name: min_max_dates
SELECT min(opened_at), max(opened_at), max(resolved_at) FROM incidents

-- name: count_distinct
SELECT count(DISTINCT service), count(DISTINCT severity) FROM incidents

-- name: tstzrange_overlap_last_week
SELECT incident_id, title FROM incidents WHERE tstzrange(opened_at, resolved_at) && tstzrange(now() - interval '7 days', now())

-- name: tstzrange_contains_instant
SELECT count(*) FROM incidents WHERE tstzrange(opened_at, coalesce(resolved_at, now())) @> timestamptz '2026-01-01 06:00+00'

-- name: instant_contained_by_range
SELECT count(*) FROM deployments WHERE deployed_at <@ tstzrange('2025-12-01', '2026-02-01')

-- name: daterange_contains_date
SELECT count(*) FROM deployments WHERE daterange('2025-12-01', '2026-01-02') @> deployed_at::date

-- name: int4range_bucket
SELECT int4range(0, 10) @> length(title) AS short, count(*) FROM incidents GROUP BY 1

-- name: range_bounds
SELECT lower(r), upper(r), isempty(r), upper_inf(r) FROM (SELECT tstzrange(opened_at, resolved_at) AS r FROM incidents) x

-- name: range_literal_cast
SELECT count(*) FROM incidents WHERE opened_at <@ '[2025-12-01, 2026-02-01)'::tstzrange

-- name: overlapping_incidents_same_service
SELECT a.incident_id, b.incident_id FROM incidents a JOIN incidents b ON a.service = b.service AND a.incident_id < b.incident_id AND tstzrange(a.opened_at, a.resolved_at) && tstzrange(b.opened_at, b.resolved_at)

-- name: deploy_during_incident
SELECT d.deployment_id, i.incident_id FROM deployments d JOIN incidents i ON i.service = d.service AND tstzrange(i.opened_at, i.resolved_at) @> d.deployed_at

-- name: numrange_membership
SELECT numrange(0.5, 1.5) @> 1.0, int8range(1, 100) && int8range(50, 150)

-- name: overlaps_operator
SELECT count(*) FROM incidents WHERE (opened_at, coalesce(resolved_at, now())) OVERLAPS (timestamptz '2025-12-01', timestamptz '2026-02-01')

-- name: fts_match
SELECT incident_id, title FROM incidents WHERE to_tsvector('english', title) @@ to_tsquery('english', 'disk | latency')

-- name: fts_plain
SELECT count(*) FROM incidents WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', 'error rate')

-- name: fts_websearch
SELECT incident_id FROM incidents WHERE to_tsvector('english', title) @@ websearch_to_tsquery('english', '"high latency" -checkout')

-- name: fts_phrase
SELECT incident_id FROM incidents WHERE to_tsvector('english', title) @@ phraseto_tsquery('english', 'error rate')

-- name: fts_rank
SELECT incident_id, ts_rank(to_tsvector('english', title), to_tsquery('english', 'error')) AS rank FROM incidents ORDER BY rank DESC LIMIT 5

-- name: fts_rank_cd
SELECT incident_id, ts_rank_cd(to_tsvector('english', title), plainto_tsquery('english', 'latency')) FROM incidents

-- name: fts_headline
SELECT ts_headline('english', title, to_tsquery('english', 'error')) FROM incidents LIMIT 20

-- name: fts_cte
WITH q AS (SELECT websearch_to_tsquery('english', 'latency') AS query) SELECT i.incident_id, ts_rank(to_tsvector('english', i.title), q.query) FROM incidents i, q WHERE to_tsvector('english', i.title) @@ q.query

-- name: fts_setweight
SELECT setweight(to_tsvector('english', title), 'A') FROM incidents LIMIT 3

-- name: fts_vector_cast
SELECT title::tsvector @@ 'error'::tsquery FROM incidents

-- name: audit_actions
SELECT action, count(*) FROM audit_log GROUP BY action ORDER BY 2 DESC

-- name: audit_per_hour
SELECT date_trunc('hour', recorded_at) AS hour, count(*) FROM audit_log GROUP BY 1 ORDER BY 1 DESC LIMIT 48

-- name: audit_json_field
SELECT detail->>'intent' AS intent, count(*) FROM audit_log GROUP BY 1

-- name: audit_json_nested
SELECT detail->'plan'->>'service' FROM audit_log WHERE detail ? 'plan'

-- name: audit_json_path
SELECT detail #>> '{plan,service}', detail #> '{plan}' FROM audit_log

-- name: audit_json_contains
SELECT count(*) FROM audit_log WHERE detail @> '{"status": "completed"}'

-- name: audit_json_any_keys
SELECT count(*) FROM audit_log WHERE detail ?| ARRAY['error', 'failure']

-- name: audit_json_all_keys
SELECT count(*) FROM audit_log WHERE detail ?& ARRAY['status', 'intent']

-- name: audit_json_keys
SELECT k, count(*) FROM audit_log, jsonb_object_keys(detail) AS k GROUP BY k

-- name: audit_json_each
SELECT e.key, count(*) FROM audit_log a, jsonb_each(a.detail) e GROUP BY e.key

-- name: audit_json_each_text
SELECT e.key, e.value FROM audit_log a CROSS JOIN LATERAL jsonb_each_text(a.detail) AS e LIMIT 50

-- name: audit_json_typeof
SELECT jsonb_typeof(detail), count(*) FROM audit_log GROUP BY 1

-- name: audit_json_path_exists
SELECT count(*) FROM audit_log WHERE jsonb_path_exists(detail, '$.status')

-- name: audit_json_array_length
SELECT audit_id, jsonb_array_length(coalesce(detail->'steps', '[]'::jsonb)) FROM audit_log

-- name: audit_json_array_elements
SELECT s.value->>'tool' AS tool, count(*) FROM audit_log a, jsonb_array_elements(coalesce(a.detail->'steps', '[]'::jsonb)) s GROUP BY 1

-- name: audit_json_strip_and_pretty
SELECT jsonb_pretty(jsonb_strip_nulls(detail)) FROM audit_log LIMIT 5

-- name: json_build_summary
SELECT jsonb_build_object('service', service, 'incidents', count(*)) FROM incidents GROUP BY service

-- name: json_agg_incidents
SELECT service, jsonb_agg(jsonb_build_object('id', incident_id, 'sev', severity) ORDER BY opened_at) FROM incidents GROUP BY service

-- name: json_object_agg
SELECT jsonb_object_agg(service, tier) FROM services

-- name: row_to_json_whole_row
SELECT row_to_json(s) FROM services s

-- name: to_jsonb_value
SELECT to_jsonb(array_agg(service)) FROM services

-- name: jsonb_to_recordset
SELECT x.a, x.b FROM jsonb_to_recordset('[{"a": 1, "b": "x"}]'::jsonb) AS x(a int, b text)

-- name: date_bin_buckets
SELECT date_bin(interval '15 minutes', opened_at, timestamptz '2026-01-01') AS bucket, count(*) FROM incidents GROUP BY 1

-- name: generate_series_days
SELECT d::date AS day FROM generate_series(timestamptz '2025-12-01', timestamptz '2025-12-31', interval '1 day') AS d

-- name: gap_filled_daily_incidents
SELECT d::date AS day, count(i.incident_id) FROM generate_series(timestamptz '2025-12-01', timestamptz '2026-01-01', interval '1 day') AS d LEFT JOIN incidents i ON date_trunc('day', i.opened_at) = d GROUP BY 1 ORDER BY 1

-- name: hour_of_day_histogram
SELECT extract(hour FROM opened_at) AS hour, count(*) FROM incidents GROUP BY 1 ORDER BY 1

-- name: day_of_week
SELECT to_char(opened_at, 'Dy') AS dow, count(*) FROM incidents GROUP BY 1

-- name: date_part_month
SELECT date_part('month', deployed_at), count(*) FROM deployments GROUP BY 1

-- name: age_of_incidents
SELECT incident_id, age(now(), opened_at) FROM incidents WHERE status = 'open'

-- name: at_time_zone
SELECT opened_at AT TIME ZONE 'Europe/Paris' AS local_time FROM incidents LIMIT 10

-- name: interval_arithmetic
SELECT count(*) FROM deployments WHERE deployed_at BETWEEN now() - interval '90 days' AND now()

-- name: make_interval_window
SELECT count(*) FROM incidents WHERE opened_at > now() - make_interval(days => 30)

-- name: justify_and_extract
SELECT justify_interval(max(resolved_at - opened_at)) FROM incidents

-- name: typed_timestamp_literal
SELECT count(*) FROM incidents WHERE opened_at >= timestamp '2025-12-01 00:00' AND opened_at < date '2026-02-01'

-- name: current_date_filters
SELECT count(*) FROM incidents WHERE opened_at::date < current_date

-- name: to_char_month
SELECT to_char(deployed_at, 'YYYY-MM') AS month, count(*) FROM deployments GROUP BY 1 ORDER BY 1

-- name: epoch_seconds
SELECT incident_id, extract(epoch FROM opened_at)::bigint FROM incidents

-- name: text_functions
SELECT upper(service), lower(tier), initcap(owner_team), length(service), left(service, 3), right(service, 2) FROM services

-- name: split_and_position
SELECT split_part(version, '.', 1) AS major, count(*) FROM deployments GROUP BY 1

-- name: regexp_match_version
SELECT version, (regexp_match(version, '(\d+)\.(\d+)'))[1] FROM deployments

-- name: regexp_replace_title
SELECT regexp_replace(title, '\s+', ' ', 'g') FROM incidents

-- name: like_and_ilike
SELECT title FROM incidents WHERE title ILIKE '%latency%' OR title LIKE 'Error%'

-- name: regex_operator
SELECT host_id FROM hosts WHERE host_id ~ '^[a-z]+-[0-9]+$'

-- name: not_regex_case_insensitive
SELECT host_id FROM hosts WHERE host_id !~* 'test'

-- name: similar_to
SELECT service FROM services WHERE service SIMILAR TO '(check|pay)%'

-- name: concat_operator
SELECT service || ' (' || tier || ')' AS label FROM services

-- name: concat_ws_format
SELECT concat_ws(' / ', service, tier, owner_team), format('%s has tier %s', service, tier) FROM services

-- name: string_to_array_and_back
SELECT array_to_string(string_to_array(version, '.'), '-') FROM deployments

-- name: lpad_rpad
SELECT lpad(service, 20, '.'), rpad(tier, 8) FROM services

-- name: md5_bucket
SELECT md5(host_id), substr(md5(host_id), 1, 6) FROM hosts

-- name: case_expression
SELECT incident_id, CASE severity WHEN 'sev1' THEN 'page' WHEN 'sev2' THEN 'ticket' ELSE 'log' END AS action FROM incidents

-- name: searched_case_buckets
SELECT CASE WHEN resolved_at - opened_at < interval '1 hour' THEN 'fast' WHEN resolved_at IS NULL THEN 'open' ELSE 'slow' END AS bucket, count(*) FROM incidents GROUP BY 1

-- name: coalesce_nullif
SELECT coalesce(resolved_at, now()) - opened_at, nullif(status, 'open') FROM incidents

-- name: greatest_least
SELECT greatest(opened_at, resolved_at), least(opened_at, resolved_at) FROM incidents

-- name: math_functions
SELECT round(avg(length(title))::numeric, 1), ceil(avg(length(title))), floor(avg(length(title))), abs(-1), sqrt(16), power(2, 10), ln(10), log(100) FROM incidents

-- name: width_bucket_histogram
SELECT width_bucket(extract(epoch FROM resolved_at - opened_at), 0, 86400, 12) AS bucket, count(*) FROM incidents WHERE resolved_at IS NOT NULL GROUP BY 1

-- name: division_and_modulo
SELECT incident_id % 10 AS shard, count(*) * 100.0 / sum(count(*)) OVER () AS pct FROM incidents GROUP BY 1

-- name: share_of_total
SELECT service, count(*)::numeric / nullif(sum(count(*)) OVER (), 0) AS share FROM incidents GROUP BY service

-- name: array_operations
SELECT service, array_length(array_agg(host_id), 1), cardinality(array_agg(region)) FROM hosts GROUP BY service

-- name: array_overlap
SELECT service FROM hosts GROUP BY service HAVING array_agg(region) && ARRAY['eu-west-1']

-- name: array_contains
SELECT service FROM hosts GROUP BY service HAVING array_agg(region) @> ARRAY['eu-west-1', 'us-east-1']

-- name: any_array
SELECT count(*) FROM incidents WHERE severity = ANY (ARRAY['sev1', 'sev2'])

-- name: all_array
SELECT count(*) FROM incidents WHERE severity <> ALL (ARRAY['sev3'])

-- name: array_subscript
SELECT (array_agg(title ORDER BY opened_at DESC))[1] AS latest FROM incidents

-- name: array_slice
SELECT (array_agg(service ORDER BY service))[1:3] FROM services

-- name: unnest_array
SELECT unnest(ARRAY['sev1', 'sev2', 'sev3']) AS severity

-- name: unnest_with_ordinality
SELECT t.sev, t.n FROM unnest(ARRAY['sev1', 'sev2']) WITH ORDINALITY AS t(sev, n)

-- name: unnest_join
SELECT s.sev, count(i.incident_id) FROM unnest(ARRAY['sev1', 'sev2', 'sev3']) AS s(sev) LEFT JOIN incidents i ON i.severity = s.sev GROUP BY s.sev

-- name: values_lookup
SELECT v.severity, v.weight, count(i.incident_id) FROM (VALUES ('sev1', 10), ('sev2', 3), ('sev3', 1)) AS v(severity, weight) LEFT JOIN incidents i ON i.severity = v.severity GROUP BY v.severity, v.weight

-- name: values_top_level
VALUES (1, 'one'), (2, 'two')

-- name: table_shorthand
TABLE services

-- name: union_all_timeline
SELECT 'incident' AS kind, service, opened_at AS at FROM incidents UNION ALL SELECT 'deployment', service, deployed_at FROM deployments ORDER BY at DESC LIMIT 100

-- name: union_distinct
SELECT service FROM incidents UNION SELECT service FROM deployments

-- name: intersect_services
SELECT service FROM incidents INTERSECT SELECT service FROM deployments

-- name: except_services
SELECT service FROM services EXCEPT SELECT service FROM incidents

-- name: scalar_subquery
SELECT s.service, (SELECT count(*) FROM incidents i WHERE i.service = s.service) AS incidents FROM services s

-- name: correlated_max
SELECT d.service, d.version FROM deployments d WHERE d.deployed_at = (SELECT max(d2.deployed_at) FROM deployments d2 WHERE d2.service = d.service)

-- name: lateral_top_incident
SELECT s.service, top.title FROM services s CROSS JOIN LATERAL (SELECT i.title FROM incidents i WHERE i.service = s.service ORDER BY i.opened_at DESC LIMIT 1) top

-- name: left_join_lateral
SELECT s.service, last.deployed_at FROM services s LEFT JOIN LATERAL (SELECT d.deployed_at FROM deployments d WHERE d.service = s.service ORDER BY d.deployed_at DESC LIMIT 1) last ON true

-- name: full_outer_join
SELECT coalesce(o.service, d.service), o.n, d.n FROM (SELECT service, count(*) AS n FROM incidents GROUP BY service) o FULL OUTER JOIN (SELECT service, count(*) AS n FROM deployments GROUP BY service) d ON d.service = o.service

-- name: cross_join_matrix
SELECT s.service, r.region FROM services s CROSS JOIN (SELECT DISTINCT region FROM hosts) r

-- name: three_way_join
SELECT t.name, s.service, h.host_id FROM tenants t JOIN services s ON s.tenant_id = t.tenant_id JOIN hosts h ON h.tenant_id = s.tenant_id AND h.service = s.service

-- name: schema_qualified
SELECT s.service FROM ops.services AS s WHERE s.tier = 'critical'

-- name: schema_qualified_column
SELECT ops.services.service FROM ops.services

-- name: whole_table_qualified_star
SELECT i.* FROM incidents i WHERE i.severity = 'sev1'

-- name: row_expansion
SELECT (s).* FROM services s

-- name: tenant_plan
SELECT name, plan FROM tenants

-- name: own_tenant_literal
SELECT count(*) FROM incidents WHERE tenant_id = 'acme'

-- name: tenant_from_setting
SELECT count(*) FROM services WHERE tenant_id = current_setting('app.tenant_id', true)

-- name: distinct_regions
SELECT DISTINCT region FROM hosts ORDER BY region

-- name: order_by_nulls_first
SELECT incident_id, resolved_at FROM incidents ORDER BY resolved_at DESC NULLS FIRST

-- name: limit_offset_paging
SELECT incident_id, title FROM incidents ORDER BY incident_id LIMIT 25 OFFSET 25

-- name: fetch_first
SELECT service FROM services ORDER BY service FETCH FIRST 5 ROWS ONLY

-- name: fetch_with_ties
SELECT service, tier FROM services ORDER BY tier FETCH FIRST 3 ROWS WITH TIES

-- name: is_distinct_from
SELECT count(*) FROM incidents WHERE resolved_at IS DISTINCT FROM NULL

-- name: is_not_null_and_boolean
SELECT count(*) FROM incidents WHERE (resolved_at IS NOT NULL) IS TRUE

-- name: between_symmetric_free
SELECT count(*) FROM deployments WHERE deployed_at NOT BETWEEN timestamptz '2020-01-01' AND timestamptz '2021-01-01'

-- name: collate_order
SELECT service FROM services ORDER BY service COLLATE "C"

-- name: dollar_quoted_literal
SELECT count(*) FROM incidents WHERE title <> $$it's fine$$

-- name: dollar_quoted_tagged
SELECT $q$a 'quoted' note$q$ AS note

-- name: unicode_string
SELECT count(*) FROM services WHERE service <> U&'d\0061ta'

-- name: escape_string
SELECT E'line\nbreak' AS text

-- name: host_events_per_host
SELECT host_id, count(*), max(ts), sum(length(payload)) FROM host_events GROUP BY host_id

-- name: host_events_recent
SELECT e.host_id, e.ts FROM host_events e JOIN hosts h ON h.host_id = e.host_id WHERE e.ts > now() - interval '1 day'

-- name: cte_chain_ratio
WITH inc AS (SELECT service, count(*) AS n FROM incidents GROUP BY service), dep AS (SELECT service, count(*) AS n FROM deployments GROUP BY service), joined AS (SELECT dep.service, dep.n AS deployments, coalesce(inc.n, 0) AS incidents FROM dep LEFT JOIN inc ON inc.service = dep.service) SELECT service, round(incidents::numeric / nullif(deployments, 0), 3) AS incidents_per_deploy FROM joined ORDER BY 2 DESC NULLS LAST

-- name: change_failure_rate
SELECT d.service, count(DISTINCT d.deployment_id) AS deploys, count(DISTINCT i.incident_id) AS incidents_within_a_day FROM deployments d LEFT JOIN incidents i ON i.service = d.service AND i.opened_at BETWEEN d.deployed_at AND d.deployed_at + interval '1 day' GROUP BY d.service

-- name: cte_window_union
WITH ranked AS (SELECT service, title, row_number() OVER (PARTITION BY service ORDER BY opened_at DESC) AS rn FROM incidents) SELECT service, title FROM ranked WHERE rn <= 3

-- name: exists_with_range
SELECT s.service FROM services s WHERE EXISTS (SELECT 1 FROM incidents i WHERE i.service = s.service AND tstzrange(i.opened_at, i.resolved_at) && tstzrange(now() - interval '1 day', now()))

-- name: subquery_in_from_with_alias_columns
SELECT x.svc, x.n FROM (SELECT service, count(*) FROM incidents GROUP BY service) AS x(svc, n)

-- name: group_by_expression
SELECT lower(severity) AS sev, date_trunc('month', opened_at) AS month, count(*) FROM incidents GROUP BY lower(severity), date_trunc('month', opened_at)

-- name: order_by_alias_and_ordinal
SELECT service, count(*) AS n FROM deployments GROUP BY 1 ORDER BY n DESC, 1

-- name: nested_subqueries
SELECT service FROM (SELECT service FROM (SELECT service, tier FROM services) a WHERE a.tier IS NOT NULL) b

-- name: not_in_subquery
SELECT service FROM services WHERE service NOT IN (SELECT depends_on FROM service_dependencies)

-- name: string_agg_distinct
SELECT string_agg(DISTINCT region, ',' ORDER BY region) FROM hosts

-- name: array_agg_filter
SELECT service, array_agg(host_id) FILTER (WHERE status <> 'healthy') FROM hosts GROUP BY service

-- name: json_array_of_rows
SELECT json_agg(t) FROM (SELECT service, tier FROM services ORDER BY service) t

-- name: boolean_literals
SELECT service, tier = 'critical' AS is_critical, true AS always FROM services

-- name: cast_functions
SELECT CAST(incident_id AS text), incident_id::varchar(20), '42'::int + 1, '3.5'::numeric FROM incidents LIMIT 3

-- name: interval_cast
SELECT '2 hours'::interval * 3, interval '1 day' - interval '3 hours'

-- name: now_variants
SELECT now(), current_timestamp, clock_timestamp() >= now(), localtimestamp

-- name: who_am_i
SELECT current_user, current_database()

-- name: generate_series_numbers
SELECT g, g * g FROM generate_series(1, 10) AS g

-- name: series_cross_join_services
SELECT s.service, h.hour FROM services s CROSS JOIN generate_series(0, 23) AS h(hour)

-- name: greatest_resolution_per_tier
SELECT s.tier, max(i.resolved_at - i.opened_at) FROM incidents i JOIN services s ON s.service = i.service GROUP BY s.tier

-- name: sla_breaches
SELECT service, count(*) FILTER (WHERE resolved_at - opened_at > CASE severity WHEN 'sev1' THEN interval '1 hour' WHEN 'sev2' THEN interval '4 hours' ELSE interval '1 day' END) AS breaches FROM incidents GROUP BY service

-- name: version_sort
SELECT service, max(string_to_array(version, '.')::int[]) FROM deployments GROUP BY service

-- name: exists_top_level
SELECT EXISTS (SELECT 1 FROM incidents WHERE severity = 'sev1' AND status = 'open') AS paging

-- name: parenthesised_query
(SELECT service FROM services ORDER BY service LIMIT 3)

-- name: trailing_semicolon
SELECT count(*) FROM services;

-- name: comments_inside
-- incidents this week
SELECT count(*) /* all severities */ FROM incidents WHERE opened_at > now() - interval '7 days'

-- name: unicode_string_uescape
SELECT count(*) FROM services WHERE service <> U&'d!0061ta' UESCAPE '!'

-- name: unicode_string_long_escape
SELECT U&'smile \+01F600' AS face
