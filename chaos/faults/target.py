"""What a fault needs from the world. The runner implements `FaultTarget`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Protocol

from pydantic import Field

from chaos.toxiproxy import ToxiproxyClient
from vocabulary import unknown_name

from .errors import FaultInjectionError

BUILTIN_UPSTREAMS: tuple[str, ...] = ("ops", "metrics")
"""The upstreams every system has: Gauntlet's Postgres, through one proxy each."""

Upstream = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
"""An upstream that sits behind its own Toxiproxy proxy: `ops`, `metrics`, or a name the
system declares in its promises (`upstreams: {cache: ...}`). Which names exist is known
only with the declarations, so a fault checks its name when it is applied, and
`unknown_upstream` says what is wrong before a run starts."""


def unknown_upstream(name: str, declared: Iterable[str] = ()) -> str | None:
    """One line when `name` is neither built in nor declared, else None."""
    known = {*BUILTIN_UPSTREAMS, *declared}
    return None if name in known else unknown_name("upstream", name, known)


def checked_proxy(proxies: Mapping[str, object], name: str) -> None:
    """Raise a one-line `FaultInjectionError` when no proxy carries upstream `name`."""
    if name not in proxies:
        problem = unknown_name("upstream", name, proxies)
        raise FaultInjectionError(
            f"{problem} (declare it in the promises' upstreams: {name}: HOST:PORT)"
        )


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
