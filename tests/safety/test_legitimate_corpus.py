"""The legitimate-query corpus: nearly all accepted, and every accepted query runs.

The corpus lives in `corpus/legitimate.sql`: dashboard-style queries over the ops schema.
Acceptance is judged on its own (no database); then each accepted query's rendered SQL is
executed as the reader role, read-only and scoped to a tenant, on a seeded Postgres.
"""

from __future__ import annotations

import psycopg
import pytest
from conftest import TENANT, tenant_scope
from corpus import CORPUS_DIR, load_named_queries

from chaos import schema
from chaos.postgres import PostgresServer
from orchestrator.safety import OPS_CATALOG, validate_direct_query

LEGITIMATE = load_named_queries(CORPUS_DIR / "legitimate.sql")
MIN_QUERIES = 150
MIN_ACCEPTED_SHARE = 0.98


def test_corpus_is_large_enough_and_nearly_all_accepted() -> None:
    assert len(LEGITIMATE) >= MIN_QUERIES
    refused = {
        name: validation.codes
        for name, query in LEGITIMATE.items()
        if not (validation := validate_direct_query(query, tenant_id=TENANT)).is_safe
    }
    accepted_share = 1 - len(refused) / len(LEGITIMATE)
    assert accepted_share >= MIN_ACCEPTED_SHARE, refused


@pytest.mark.integration
@pytest.mark.parametrize("name", LEGITIMATE.keys())
def test_accepted_query_runs_on_postgres(reader: psycopg.Connection, name: str) -> None:
    validation = validate_direct_query(LEGITIMATE[name], tenant_id=TENANT)
    if not validation.is_safe:
        pytest.skip(f"refused: {validation.codes}")  # counted by the share test above
    with tenant_scope(reader):
        reader.execute(validation.sql, binary=True).fetchall()


@pytest.mark.integration
def test_catalog_matches_the_ops_schema(ops_server: PostgresServer) -> None:
    with psycopg.connect(ops_server.dsn(schema.OPS_DB, ops_server.superuser)) as admin:
        rows = admin.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s",
            [OPS_CATALOG.schema],
        ).fetchall()
    actual: dict[str, set[str]] = {}
    for table, column in rows:
        actual.setdefault(table, set()).add(column)
    assert {t: frozenset(c) for t, c in actual.items()} == dict(OPS_CATALOG.relations)
