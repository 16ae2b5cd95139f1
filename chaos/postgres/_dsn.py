"""An existing Postgres given by URL: we connect, we never stop or kill it."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import psycopg

from ._server import OperationNotSupported, PostgresServer, PostgresUnavailable, StopMode


class DsnPostgres(PostgresServer):
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise ValueError(f"--db {url!r}: expected postgresql://user:password@host:port/db")
        self._url = url
        self._host = parts.hostname
        self._port = parts.port or 5432
        self.superuser = unquote(parts.username or "postgres")
        self._admin_password = unquote(parts.password or "")

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    @property
    def admin_dsn(self) -> str:
        return self._url

    def password_for(self, user: str) -> str:
        return self._admin_password if user == self.superuser else super().password_for(user)

    def start(self) -> None:
        if not self.is_running():
            raise PostgresUnavailable(
                f"cannot connect to --db {self._host}:{self._port}; "
                "is the server up and the URL right?"
            )

    def stop(self, mode: StopMode = "fast") -> None:
        raise OperationNotSupported(
            "stop is not supported for --db DSN (we do not own that "
            "server); use --db embedded or --db docker"
        )

    def kill(self) -> None:
        raise OperationNotSupported(
            "kill is not supported for --db DSN (we do not own that "
            "server); use --db embedded or --db docker"
        )

    def restart(self) -> None:
        self.stop()

    def is_running(self) -> bool:
        try:
            with psycopg.connect(self._url, connect_timeout=3):
                return True
        except psycopg.OperationalError:
            return False

    def close(self) -> None:
        """Nothing to release: the server is not ours."""
