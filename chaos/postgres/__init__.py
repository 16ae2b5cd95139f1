"""Real Postgres servers for Gauntlet: embedded (pgserver), Docker, or an existing URL.

server = start_ops_postgres("embedded")      # running, with schema and seed
server.dsn("ops", "gauntlet_reader")          # postgresql://...@127.0.0.1:PORT/ops
server.stop(); server.start(); server.kill(); server.restart(); server.close()
"""

from ._docker import DockerPostgres
from ._dsn import DsnPostgres
from ._embedded import EmbeddedPostgres, Template
from ._ops import ops_template, provision_ops, start_ops_postgres
from ._server import OperationNotSupported, PostgresServer, PostgresUnavailable, random_password
from ._specs import DB_CHOICES, open_postgres
from ._stale import DEFAULT_STATE_DIR, cleanup_stale
from ._statement_log import LogRecord, StatementLog, log_statements, parse_records

__all__ = [
    "DB_CHOICES",
    "DEFAULT_STATE_DIR",
    "DockerPostgres",
    "DsnPostgres",
    "EmbeddedPostgres",
    "LogRecord",
    "OperationNotSupported",
    "PostgresServer",
    "PostgresUnavailable",
    "StatementLog",
    "Template",
    "cleanup_stale",
    "open_postgres",
    "log_statements",
    "parse_records",
    "ops_template",
    "provision_ops",
    "random_password",
    "start_ops_postgres",
]
