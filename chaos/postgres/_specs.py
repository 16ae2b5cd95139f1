"""`--db` choices: `embedded`, `docker` or a `postgresql://` URL."""

from __future__ import annotations

from ._server import PostgresServer

DB_CHOICES = "'embedded', 'docker' or a postgresql:// URL"


def open_postgres(spec: str) -> PostgresServer:
    """A server object for `spec` (not started yet; call `start()`)."""
    if spec == "embedded":
        from ._embedded import EmbeddedPostgres

        return EmbeddedPostgres()
    if spec == "docker":
        from ._docker import DockerPostgres

        return DockerPostgres()
    if spec.startswith(("postgresql://", "postgres://")):
        from ._dsn import DsnPostgres

        return DsnPostgres(spec)
    raise ValueError(f"--db {spec!r}: expected {DB_CHOICES}")
