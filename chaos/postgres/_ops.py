"""Start a Postgres holding the ops world: roles, schema and seed, ready to serve."""

from __future__ import annotations

import hashlib
import inspect

import psycopg

from chaos import schema
from chaos import seed as seed_module
from chaos.seed import SeedOptions

from ._embedded import PG_BIN, EmbeddedPostgres, Template
from ._server import PostgresServer
from ._specs import open_postgres


def provision_ops(server: PostgresServer, options: SeedOptions = SeedOptions()) -> None:
    """Install roles, the `ops` and `metrics` databases and the seed (unless already
    there), then give the login roles this server's random passwords."""
    with psycopg.connect(server.admin_dsn, autocommit=True) as admin:
        installed = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [schema.OPS_DB]
        ).fetchone()
    if not installed:
        _install(server, options)
    schema.set_passwords(
        server.admin_dsn, {role: server.password_for(role) for role in schema.LOGIN_ROLES}
    )


def _install(server: PostgresServer, options: SeedOptions) -> None:
    superuser = server.superuser
    schema.install_schema(
        server.admin_dsn,
        database_dsn=lambda database: server.dsn(database, superuser),
        tenants=options.tenant_ids,
    )
    seed_module.seed(
        {
            schema.OPS_DB: server.dsn(schema.OPS_DB, superuser),
            schema.METRICS_DB: server.dsn(schema.METRICS_DB, superuser),
        },
        options,
    )


def ops_template(options: SeedOptions = SeedOptions()) -> Template:
    """A template keyed on everything that shapes the data directory."""
    digest = hashlib.sha256()
    digest.update(schema.schema_fingerprint().encode())
    digest.update(inspect.getsource(seed_module).encode())
    digest.update(repr(options).encode())
    digest.update(
        (PG_BIN.parent / "share" / "postgresql.conf.sample").read_bytes()
        if (PG_BIN.parent / "share" / "postgresql.conf.sample").exists()
        else b""
    )
    return Template(
        key=f"ops-{digest.hexdigest()[:16]}", prepare=lambda server: provision_ops(server, options)
    )


def start_ops_postgres(
    spec: str = "embedded", options: SeedOptions = SeedOptions()
) -> PostgresServer:
    """A running server with schema and seed, from `embedded`, `docker` or a URL."""
    if spec == "embedded":
        server: PostgresServer = EmbeddedPostgres(template=ops_template(options))
    else:
        server = open_postgres(spec)
    try:
        server.start()
        provision_ops(server, options)
    except BaseException:
        server.close()
        raise
    return server
