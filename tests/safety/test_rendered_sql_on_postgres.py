"""The SQL handed back for accepted queries must be valid Postgres syntax (real server)."""

from __future__ import annotations

import re

import psycopg
import pytest
from conftest import tenant_scope
from test_accepted_queries import SAFE_QUERIES

from orchestrator.safety import validate_direct_query

SYNTAX_ERROR = "42601"


def _params(sql: str) -> dict[str, None] | list[None] | None:
    names = set(re.findall(r"%\((\w+)\)s", sql))
    if names:
        return {name: None for name in names}
    return [None] * sql.count("%s") if "%s" in sql else None


@pytest.mark.integration
@pytest.mark.parametrize("query", SAFE_QUERIES.values(), ids=SAFE_QUERIES.keys())
def test_rendered_sql_parses_on_postgres(reader: psycopg.Connection, query: str) -> None:
    sql = validate_direct_query(query, tenant_id="acme").sql
    assert sql is not None
    try:
        # Tables need not exist: Postgres reports syntax errors before resolving names.
        with tenant_scope(reader):
            reader.execute(sql, _params(sql))
    except psycopg.Error as exc:
        assert exc.sqlstate != SYNTAX_ERROR, f"{sql}: {exc}"
