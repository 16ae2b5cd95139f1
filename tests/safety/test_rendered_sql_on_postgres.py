"""The SQL handed back for accepted queries must be valid Postgres syntax (real server)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from test_accepted_queries import SAFE_QUERIES

from orchestrator.safety import validate_direct_query

SYNTAX_ERROR = "42601"


@pytest.fixture(scope="module")
def connection(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: None
) -> Iterator[psycopg.Connection]:
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="stop")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        yield conn
    server.cleanup()


@pytest.fixture(scope="module")
def monkeypatch_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # pgserver writes a lock file under $XDG_RUNTIME_DIR; keep it inside the test's folder.
    with pytest.MonkeyPatch.context() as patch:
        runtime = Path(tmp_path_factory.mktemp("runtime"))
        runtime.chmod(0o700)
        patch.setenv("XDG_RUNTIME_DIR", str(runtime))
        yield


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
