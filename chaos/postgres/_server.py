"""The one interface every Postgres backend implements, and its errors.

RuntimeError
├── PostgresUnavailable     the backend cannot run here (no Docker engine, no binaries)
└── OperationNotSupported   e.g. stop/kill on a server we do not own (--db DSN)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal
from urllib.parse import quote

StopMode = Literal["smart", "fast", "immediate"]


class PostgresUnavailable(RuntimeError):
    """This backend cannot provide a server here; the message says what to use instead."""


class OperationNotSupported(RuntimeError):
    """The backend cannot do this (e.g. stop a server given by DSN)."""


def role_password(user: str) -> str:
    """Password of a Gauntlet login role. A fixed, derived value: this is a test world."""
    return f"gauntlet-{user}-pw"


class PostgresServer(ABC):
    """A Postgres server reachable over TCP; some backends can also stop and kill it."""

    superuser: str = "postgres"

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
        """URL for `user` on `database`; Gauntlet roles use `role_password(user)`."""
        password = self._password_for(user)
        return (
            f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}"
            f"@{self.host}:{self.port}/{quote(database, safe='')}"
        )

    def _password_for(self, user: str) -> str:
        return role_password(user)

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self, mode: StopMode = "fast") -> None: ...

    @abstractmethod
    def kill(self) -> None:
        """Stop hard: no shutdown checkpoint, clients see their sockets die."""

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
