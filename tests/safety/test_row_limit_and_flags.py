"""Row cap rewriting, and the three relaxation flags each unlocking only their own category."""

from __future__ import annotations

import pytest
from sqlglot import exp

from orchestrator.safety import validate_direct_query
from orchestrator.safety._functions import ALLOWED_FUNCTION_NAMES, ALLOWED_NODE_TYPES

ROW_LIMIT_CASES = {
    "no_limit_gets_cap": ("SELECT id FROM t", 100, "SELECT id FROM t LIMIT 100"),
    "smaller_limit_kept": ("SELECT id FROM t LIMIT 5", 100, "SELECT id FROM t LIMIT 5"),
    "equal_limit_kept": ("SELECT id FROM t LIMIT 100", 100, "SELECT id FROM t LIMIT 100"),
    "larger_limit_capped": ("SELECT id FROM t LIMIT 5000", 100, "SELECT id FROM t LIMIT 100"),
    "offset_kept": (
        "SELECT id FROM t LIMIT 5000 OFFSET 10",
        100,
        "SELECT id FROM t LIMIT 100 OFFSET 10",
    ),
    "fetch_small_kept": (
        "SELECT id FROM t FETCH FIRST 5 ROWS ONLY",
        100,
        "SELECT id FROM t FETCH FIRST 5 ROWS ONLY",
    ),
    "fetch_large_capped": (
        "SELECT id FROM t FETCH FIRST 500 ROWS ONLY",
        100,
        "SELECT id FROM t LIMIT 100",
    ),
    "placeholder_limit_wrapped": (
        "SELECT id FROM t LIMIT %s",
        100,
        "SELECT * FROM (SELECT id FROM t LIMIT %s) AS limited_rows LIMIT 100",
    ),
    "limit_all_wrapped": (
        "SELECT id FROM t LIMIT ALL",
        100,
        "SELECT * FROM (SELECT id FROM t LIMIT ALL) AS limited_rows LIMIT 100",
    ),
    "union_wrapped": (
        "SELECT 1 UNION SELECT 2",
        100,
        "SELECT * FROM (SELECT 1 UNION SELECT 2) AS limited_rows LIMIT 100",
    ),
    "values_wrapped": ("VALUES (1)", 100, "SELECT * FROM (VALUES (1)) AS limited_rows LIMIT 100"),
    "with_ties_wrapped": (
        "SELECT id FROM t ORDER BY id FETCH FIRST 5 ROWS WITH TIES",
        100,
        "SELECT * FROM (SELECT id FROM t ORDER BY id FETCH FIRST 5 ROWS WITH TIES) "
        "AS limited_rows LIMIT 100",
    ),
}


@pytest.mark.parametrize(
    ("query", "cap", "expected"), ROW_LIMIT_CASES.values(), ids=ROW_LIMIT_CASES.keys()
)
def test_row_limit_is_enforced(query: str, cap: int, expected: str) -> None:
    assert validate_direct_query(query, max_rows=cap).sql == expected


def test_enforce_readonly_false_allows_writes_but_not_ddl_or_functions() -> None:
    assert validate_direct_query("DELETE FROM t WHERE id = 1", enforce_readonly=False).is_safe
    assert validate_direct_query("SELECT * FROM t FOR UPDATE", enforce_readonly=False).is_safe
    assert validate_direct_query("DROP TABLE t", enforce_readonly=False).codes == ("ddl",)
    assert validate_direct_query("GRANT ALL ON t TO x", enforce_readonly=False).codes == ("dcl",)
    assert (
        "forbidden_function"
        in validate_direct_query("UPDATE t SET a = pg_sleep(1)", enforce_readonly=False).codes
    )
    assert validate_direct_query("SET ROLE x", enforce_readonly=False).codes == (
        "statement_not_allowed",
    )


def test_block_ddl_false_allows_ddl_only() -> None:
    assert validate_direct_query("CREATE TABLE t (id int)", block_ddl=False).is_safe
    assert validate_direct_query("DROP TABLE t", block_ddl=False).is_safe
    assert validate_direct_query("DELETE FROM t", block_ddl=False).codes == ("not_read_only",)
    assert validate_direct_query("GRANT ALL ON t TO x", block_ddl=False).codes == ("dcl",)
    # an opaque Command is never run, whatever the flags say
    assert not validate_direct_query("ALTER SYSTEM SET fsync = off", block_ddl=False).is_safe


def test_block_dcl_false_allows_dcl_only() -> None:
    assert validate_direct_query("GRANT SELECT ON t TO reader", block_dcl=False).is_safe
    assert validate_direct_query("DROP TABLE t", block_dcl=False).codes == ("ddl",)
    assert validate_direct_query("INSERT INTO t VALUES (1)", block_dcl=False).codes == (
        "not_read_only",
    )


def test_tenancy_is_only_judged_when_a_tenant_is_given() -> None:
    query = "SELECT * FROM services WHERE tenant_id = 'globex'"
    assert validate_direct_query(query).is_safe
    assert validate_direct_query(query, tenant_id="globex").is_safe
    assert validate_direct_query(query, tenant_id="acme").codes == ("cross_tenant_reference",)


def test_typed_allowlist_names_real_sqlglot_functions() -> None:
    for name in ALLOWED_NODE_TYPES:
        node_type = getattr(exp, name, None)
        assert node_type is not None and issubclass(node_type, exp.Func), name


DANGEROUS_FUNCTIONS = [
    "pg_sleep", "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "lo_import", "lo_export",
    "dblink", "dblink_exec", "pg_terminate_backend", "pg_cancel_backend", "pg_advisory_lock",
    "nextval", "setval", "set_config", "query_to_xml", "table_to_xml", "ts_stat", "xpath",
]  # fmt: skip


def test_no_dangerous_function_is_on_the_allowlist() -> None:
    assert not ALLOWED_FUNCTION_NAMES.intersection(DANGEROUS_FUNCTIONS)
