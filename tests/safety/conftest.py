"""A real, seeded ops database for the safety tests, shared by the session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from chaos import schema
from chaos.postgres import PostgresServer, start_ops_postgres
from orchestrator.tools import tenant_role

TENANT = "acme"


@pytest.fixture(scope="session")
def ops_server() -> Iterator[PostgresServer]:
    server = start_ops_postgres("embedded")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def reader(ops_server: PostgresServer) -> Iterator[psycopg.Connection]:
    """The role the direct-query tool uses, with row-level security binding it."""
    with psycopg.connect(ops_server.dsn(schema.OPS_DB, schema.READER)) as conn:
        yield conn


@contextmanager
def tenant_scope(conn: psycopg.Connection, tenant_id: str = TENANT) -> Iterator[None]:
    """A transaction scoped as the direct-query tool scopes its own: read-only, the
    tenant's role, the tenant setting (the tool composes the same statements)."""
    with conn.transaction():
        conn.execute("SET TRANSACTION READ ONLY")
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(tenant_role(tenant_id))))
        conn.execute(sql.SQL("SET LOCAL app.tenant_id = {}").format(sql.Literal(tenant_id)))
        yield
