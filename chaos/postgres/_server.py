"""The one interface every Postgres backend implements, and its errors.

RuntimeError
├── PostgresUnavailable     the backend cannot run here (no Docker engine, no binaries)
└── OperationNotSupported   e.g. stop/kill on a server we do not own (--db DSN)
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from typing import Literal
from urllib.parse import quote

from ._statement_log import StatementLog

StopMode = Literal["smart", "fast", "immediate"]


class PostgresUnavailable(RuntimeError):
    """This backend cannot provide a server here; the message says what to use instead."""


class OperationNotSupported(RuntimeError):
    """The backend cannot do this (e.g. stop a server given by DSN)."""


def random_password() -> str:
    """A fresh password: 32 random bytes, URL-safe (never derivable from the source)."""
    return secrets.token_urlsafe(32)


class PostgresServer(ABC):
    """A Postgres server reachable over TCP; some backends can also stop and kill it."""

    superuser: str = "postgres"
    _passwords: dict[str, str]

    @property
    @abstractmethod
    def host(self) -> str: ...

    @property
    @abstractmethod
    def port(self) -> int: ...

    @property
    def admin_dsn(self) -> str:
        """Superuser URL for the `postgres` maintenance database."""
        return self.dsn("postgres", self.superuser)

    def dsn(self, database: str, user: str) -> str:
        """URL for `user` on `database`, with that role's password on this server."""
        password = self.password_for(user)
        return (
            f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}"
            f"@{self.host}:{self.port}/{quote(database, safe='')}"
        )

    def password_for(self, user: str) -> str:
        """This server's password for `user`: random, made on first use, kept for its life.

        Login roles are given theirs by `chaos.schema.set_passwords` when the server is
        provisioned, so two stacks never share a password and none is in the source.
        """
        if not hasattr(self, "_passwords"):
            self._passwords = {}
        return self._passwords.setdefault(user, random_password())

    def passwords(self) -> dict[str, str]:
        """Every password this server object has made so far, by role."""
        return dict(getattr(self, "_passwords", {}))

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self, mode: StopMode = "fast") -> None: ...

    @abstractmethod
    def kill(self) -> None:
        """Stop hard: no shutdown checkpoint, clients see their sockets die."""

    def statement_log(self) -> StatementLog | None:
        """The server's log of every statement sent to it, if Gauntlet can read it (a
        server it started); None for a server it does not own."""
        return None

    def restart(self) -> None:
        if self.is_running():
            self.stop("fast")
        self.start()

    @abstractmethod
    def is_running(self) -> bool: ...

    @abstractmethod
    def close(self) -> None:
        """Release everything this object owns (processes, folders, containers)."""

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
