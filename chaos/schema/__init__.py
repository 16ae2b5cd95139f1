"""The ops and metrics databases: roles, schema, row-level security, revoked functions.

`install_schema(admin_dsn, database_dsn=..., tenants=...)` creates, on one server:

- `gauntlet_owner` (NOLOGIN) owns the tables, so FORCE ROW LEVEL SECURITY binds it;
- `gauntlet_tenants` (NOLOGIN) holds the SELECT grants, and one member role per tenant,
  `gauntlet_tenant_<id>`, which row-level security keys on (`role_tenant()` in SQL);
- `gauntlet_reader` (LOGIN, NOINHERIT) has no table grant of its own: it is a member of
  every tenant role and reads only after `SET LOCAL ROLE gauntlet_tenant_<id>`;
- `gauntlet_auditor` (LOGIN) may INSERT into ops.audit_log only;

and the databases `ops` and `metrics`. Tenancy is keyed twice: the setting
`app.tenant_id` (set per transaction with SET LOCAL) and the current role. Login roles
get no password here: `set_passwords` gives them the stack's random ones. EXECUTE on the
functions listed in `revoke_functions.sql` (set_config among them) is revoked from
PUBLIC in both databases, and TEMP too, so tenant SQL cannot re-point its tenant, reach
other sessions or run SQL given as text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import psycopg
from psycopg import sql

from contract import TENANTS_GROUP_ROLE, tenant_role

SCHEMA_DIR = Path(__file__).parent
OPS_DB = "ops"
METRICS_DB = "metrics"
READER = "gauntlet_reader"
AUDITOR = "gauntlet_auditor"
OWNER = "gauntlet_owner"
LOGIN_ROLES = (READER, AUDITOR)
# A session that sits idle inside a transaction (a stalled client) is ended by the server;
# tools also set a tighter value per transaction, from their deadline.
IDLE_IN_TRANSACTION_TIMEOUT = "10s"
# The most temporary-file space one reader session may use: a tenant's sort or hash that
# spills past it fails (SQLSTATE 53400) instead of filling the disk (one sort spilled
# ~0.8 GB). Counting 10^6 rows from a set-returning function spills ~14 MB.
READER_TEMP_FILE_LIMIT = "32MB"
_SCRIPTS = {OPS_DB: SCHEMA_DIR / "ops.sql", METRICS_DB: SCHEMA_DIR / "metrics.sql"}
_REVOKE_SCRIPT = SCHEMA_DIR / "revoke_functions.sql"

__all__ = [
    "AUDITOR",
    "LOGIN_ROLES",
    "METRICS_DB",
    "OPS_DB",
    "READER",
    "READER_TEMP_FILE_LIMIT",
    "install_schema",
    "schema_fingerprint",
    "set_passwords",
    "tenant_role",
]


def schema_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted([*_SCRIPTS.values(), _REVOKE_SCRIPT, Path(__file__)]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def install_schema(
    admin_dsn: str, *, database_dsn: Callable[[str], str], tenants: Iterable[str]
) -> None:
    """Create roles and both databases; `database_dsn(name)` gives a superuser URL for one."""
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        _create_roles(admin, tuple(tenants))
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
            conn.execute(_REVOKE_SCRIPT.read_text())


def set_passwords(admin_dsn: str, passwords: Mapping[str, str]) -> None:
    """Give each login role its password (a stack's random one)."""
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        for role, password in passwords.items():
            admin.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )


def _create_roles(admin: psycopg.Connection, tenants: tuple[str, ...]) -> None:
    existing = {row[0] for row in admin.execute("SELECT rolname FROM pg_roles")}

    def create(role: str, options: str) -> None:
        if role not in existing:
            admin.execute(sql.SQL(f"CREATE ROLE {{}} {options}").format(sql.Identifier(role)))

    create(OWNER, "NOLOGIN")
    create(TENANTS_GROUP_ROLE, "NOLOGIN")
    # NOINHERIT: the reader holds its tenant roles' rights only after SET ROLE to one.
    create(READER, "LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
    create(AUDITOR, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
    for tenant in tenants:
        role = tenant_role(tenant)
        create(role, "NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
        admin.execute(
            sql.SQL("GRANT {} TO {}").format(
                sql.Identifier(TENANTS_GROUP_ROLE), sql.Identifier(role)
            )
        )
        admin.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(READER))
        )
    for role in LOGIN_ROLES:
        admin.execute(
            sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = {}").format(
                sql.Identifier(role), sql.Literal(IDLE_IN_TRANSACTION_TIMEOUT)
            )
        )
    # A superuser's setting (the reader could not SET it itself, nor lift it).
    admin.execute(
        sql.SQL("ALTER ROLE {} SET temp_file_limit = {}").format(
            sql.Identifier(READER), sql.Literal(READER_TEMP_FILE_LIMIT)
        )
    )
