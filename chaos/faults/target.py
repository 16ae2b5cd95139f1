"""What a fault needs from the world. The runner implements `FaultTarget`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal, Protocol

from chaos.toxiproxy import ToxiproxyClient

Upstream = Literal["ops", "metrics"]
"""An orchestrator upstream that sits behind its own Toxiproxy proxy."""


class DatabaseServer(Protocol):
    """The slice of `chaos.postgres.PostgresServer` the database faults use."""

    def start(self) -> None: ...

    def is_running(self) -> bool: ...

    def stop(self) -> None:
        """Fast shutdown: sessions are terminated, the server exits cleanly."""

    def kill(self) -> None:
        """Hard kill: no shutdown checkpoint; the next start runs crash recovery."""

    def restart(self) -> None: ...


class FaultTarget(Protocol):
    """Handles to everything a fault can break."""

    @property
    def toxiproxy(self) -> ToxiproxyClient: ...

    def proxy_name(self, upstream: Upstream) -> str:
        """The Toxiproxy proxy that carries traffic to `upstream`."""
        ...

    @property
    def postgres(self) -> DatabaseServer: ...

    @property
    def admin_dsn(self) -> str:
        """The owner's DSN of the ops database (may run DDL and terminate sessions)."""
        ...

    @property
    def app_dsn(self) -> str:
        """A DSN as the application role (what `exhaust_connections` opens)."""
        ...

    @property
    def app_roles(self) -> tuple[str, ...]:
        """Database roles whose sessions `terminate_backends` ends."""
        ...

    @property
    def service_url(self) -> str:
        """Base URL of the service under test (`audit_poison_record` posts its requests there)."""
        ...

    @property
    def tenant_keys(self) -> Mapping[str, str]:
        """The valid API key of each tenant, by tenant id."""
        ...

    @property
    def audit_spool_dir(self) -> Path | None:
        """Where the orchestrator service spools audit records (set with the service)."""
        ...
