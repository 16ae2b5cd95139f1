"""Database passwords are random per stack: none is in the source, none is shared."""

from __future__ import annotations

import psycopg
import pytest

from chaos import schema
from chaos.postgres import EmbeddedPostgres, start_ops_postgres

pytestmark = pytest.mark.integration
# What the superuser's and the reader's passwords used to be: fixed strings in the source.
FORMER_FIXED_PASSWORDS = {
    "postgres": "gauntlet-postgres-pw",
    schema.READER: "gauntlet-gauntlet_reader-pw",
}


def _url(server: EmbeddedPostgres, user: str, password: str) -> str:
    return f"postgresql://{user}:{password}@{server.host}:{server.port}/ops"


def test_two_stacks_from_one_template_share_no_password(postgres: EmbeddedPostgres) -> None:
    other = start_ops_postgres("embedded")
    try:
        for user in ("postgres", schema.READER, schema.AUDITOR):
            assert postgres.password_for(user) != other.password_for(user)
            with psycopg.connect(other.dsn("ops", user)):
                pass  # this stack's own password lets its owner in ...
            with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
                psycopg.connect(_url(other, user, postgres.password_for(user)))  # ... no other
    finally:
        other.close()


def test_the_former_fixed_passwords_let_no_one_in(postgres: EmbeddedPostgres) -> None:
    for user, password in FORMER_FIXED_PASSWORDS.items():
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(_url(postgres, user, password))
