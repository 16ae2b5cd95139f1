"""Database faults on the server and its sessions: stop, kill, restart, terminate, exhaust."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Literal

import psycopg
from psycopg import errors as pg_errors
from pydantic import Field, PrivateAttr

from .base import Fault, register_fault
from .sql_names import Identifier
from .target import DatabaseServer, FaultTarget


def _start_if_stopped(server: DatabaseServer) -> None:
    if not server.is_running():
        server.start()


@register_fault
class DbStopFault(Fault):
    """Stop Postgres (fast shutdown: sessions end cleanly); start it on rollback."""

    kind: Literal["db_stop"] = "db_stop"

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        server = target.postgres
        undo.callback(_start_if_stopped, server)
        server.stop()


@register_fault
class DbKillFault(Fault):
    """Kill Postgres hard (clients see their sockets die); start it on rollback."""

    kind: Literal["db_kill"] = "db_kill"

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        server = target.postgres
        undo.callback(_start_if_stopped, server)
        server.kill()


@register_fault
class DbRestartFault(Fault):
    """Restart Postgres once; every session is cut. Nothing to roll back."""

    kind: Literal["db_restart"] = "db_restart"

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        server = target.postgres
        # A restart interrupted between its stop and its start must still end running.
        undo.callback(_start_if_stopped, server)
        server.restart()


@register_fault
class TerminateBackendsFault(Fault):
    """`pg_terminate_backend` every session of the application roles, once.

    `roles` defaults to the target's application roles; `database` (default: every one)
    limits it to the sessions of one database, e.g. `ops`, the one behind the ops proxy.
    It lands only where the system held a session then: `evidence` says how many ended.
    """

    kind: Literal["terminate_backends"] = "terminate_backends"
    roles: list[Identifier] | None = None
    database: Identifier | None = None
    _ended: int | None = PrivateAttr(default=None)  # sessions ended by the last inject

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        roles = list(self.roles if self.roles is not None else target.app_roles)
        self._ended = None
        with psycopg.connect(target.admin_dsn, autocommit=True, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE usename = ANY(%s) AND pid <> pg_backend_pid()"
                " AND (%s::text IS NULL OR datname = %s::text)",
                (roles, self.database, self.database),
            ).fetchone()
        self._ended = int(row[0]) if row else 0

    def evidence(self) -> tuple[bool, str] | None:
        if self._ended is None:
            return None
        where = f" on database {self.database}" if self.database else ""
        if self._ended == 0:
            return False, (
                f"no session of the system{where} to terminate: it held no connection then, "
                "so nothing it did met the fault"
            )
        return True, f"terminated {self._ended} session(s) of the system{where}"


@register_fault
class ExhaustConnectionsFault(Fault):
    """Open connections as the application role until Postgres refuses more.

    Stops at the server's `max_connections` or the role's `CONNECTION LIMIT` (SQLSTATE
    53300), or at `max_connections` opened here as a safety cap. All are closed on rollback.
    """

    kind: Literal["exhaust_connections"] = "exhaust_connections"
    max_connections: int = Field(default=1000, ge=1)

    def inject(self, target: FaultTarget, undo: ExitStack) -> None:
        held: list[psycopg.Connection] = []
        undo.callback(_close_all, held)
        for _ in range(self.max_connections):
            try:
                held.append(psycopg.connect(target.app_dsn, autocommit=True, connect_timeout=5))
            except psycopg.OperationalError as exc:
                if _is_connection_limit(exc):
                    return
                raise
        return


def _is_connection_limit(exc: psycopg.OperationalError) -> bool:
    # A refused connect does not always carry a sqlstate; the server's message does.
    if isinstance(exc, pg_errors.TooManyConnections) or exc.sqlstate == "53300":
        return True
    text = str(exc)
    return "too many connections" in text or "connection slots are reserved" in text


def _close_all(connections: list[psycopg.Connection]) -> None:
    while connections:
        connections.pop().close()
