"""A real, seeded ops database for the safety tests, shared by the session."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from chaos import schema
from chaos.postgres import PostgresServer, start_ops_postgres

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
