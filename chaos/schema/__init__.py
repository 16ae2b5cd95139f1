"""The ops and metrics databases: roles, schema, row-level security.

`install_schema(admin_dsn)` creates, on one server, the roles `gauntlet_owner`
(NOLOGIN; owns the tables, so FORCE ROW LEVEL SECURITY binds it), `gauntlet_reader`
(SELECT only, NOBYPASSRLS) and `gauntlet_auditor` (INSERT on ops.audit_log only), and the
databases `ops` and `metrics`. Tenancy is `current_setting('app.tenant_id', true)`, set
per transaction with `SET LOCAL app.tenant_id = '...'` (the same as
`set_config(..., true)`). EXECUTE on `set_config` is revoked from PUBLIC, and TEMP on both
databases, so SQL running as a Gauntlet role cannot re-point its own tenant mid-query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from chaos.postgres._server import role_password

SCHEMA_DIR = Path(__file__).parent
OPS_DB = "ops"
METRICS_DB = "metrics"
READER = "gauntlet_reader"
AUDITOR = "gauntlet_auditor"
OWNER = "gauntlet_owner"
_SCRIPTS = {OPS_DB: SCHEMA_DIR / "ops.sql", METRICS_DB: SCHEMA_DIR / "metrics.sql"}

__all__ = ["AUDITOR", "METRICS_DB", "OPS_DB", "READER", "install_schema", "schema_fingerprint"]


def schema_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(_SCRIPTS.values()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def install_schema(admin_dsn: str, *, database_dsn: Callable[[str], str]) -> None:
    """Create roles and both databases; `database_dsn(name)` gives a superuser URL for one."""
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        _create_roles(admin)
        for database in _SCRIPTS:
            admin.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(OWNER)
                )
            )
            admin.execute(
                sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(
                    sql.Identifier(database)
                )
            )
            admin.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}, {}").format(
                    sql.Identifier(database), sql.Identifier(READER), sql.Identifier(AUDITOR)
                )
            )
    for database, script in _SCRIPTS.items():
        with psycopg.connect(database_dsn(database), autocommit=True) as conn:
            conn.execute(script.read_text())


def _create_roles(admin: psycopg.Connection) -> None:
    existing = {
        row[0]
        for row in admin.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [[OWNER, READER, AUDITOR]]
        )
    }
    if OWNER not in existing:
        admin.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(OWNER)))
    for role in (READER, AUDITOR):
        if role not in existing:
            admin.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE "
                    "PASSWORD {}"
                ).format(sql.Identifier(role), sql.Literal(role_password(role)))
            )
