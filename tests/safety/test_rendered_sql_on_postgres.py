"""The SQL handed back for accepted queries must be valid Postgres syntax (real server)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest
from test_accepted_queries import SAFE_QUERIES

from chaos.postgres import EmbeddedPostgres
from orchestrator.safety import validate_direct_query

SYNTAX_ERROR = "42601"


@pytest.fixture(scope="module")
def connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[psycopg.Connection]:
    # Not pgserver's own get_server(): run as root, it puts the data under pytest's 0700
    # folder and loosens that folder for its unprivileged user, which a concurrent pytest
    # run tightens again. EmbeddedPostgres keeps the data where that user can reach it.
    server = EmbeddedPostgres(state_dir=tmp_path_factory.mktemp("pg-state"))
    try:
        server.start()
        with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
            yield conn
    finally:
        server.close()


def _params(sql: str) -> dict[str, None] | list[None] | None:
    names = set(re.findall(r"%\((\w+)\)s", sql))
    if names:
        return {name: None for name in names}
    return [None] * sql.count("%s") if "%s" in sql else None


@pytest.mark.integration
@pytest.mark.parametrize("query", SAFE_QUERIES.values(), ids=SAFE_QUERIES.keys())
def test_rendered_sql_parses_on_postgres(connection: psycopg.Connection, query: str) -> None:
    sql = validate_direct_query(query, tenant_id="acme").sql
    assert sql is not None
    try:
        # Tables need not exist: Postgres reports syntax errors before resolving names.
        connection.execute(sql, _params(sql))
    except psycopg.Error as exc:
        assert exc.sqlstate != SYNTAX_ERROR, f"{sql}: {exc}"
