"""A system that is already running, its upstreams behind Gauntlet's Toxiproxy proxies.

    upstreams = [parse_upstream("ops=db.internal:5432@15432"), parse_upstream("metrics=...")]
    with open_remote_world(upstreams, tenant_keys) as world:
        world.listen_lines()            # where the system must connect, one line per upstream
        with parse_fault({"kind": "down", "upstream": "ops"}).apply(world): ...

Besides `ops` and `metrics` the system may have further upstreams (a cache, an HTTP API):
`--upstream cache=cache.internal:6379` puts a proxy in front of it too, and every network
fault can target it by name, as with a world Gauntlet starts.

Gauntlet owns no database here, so only network faults (toxics, `down`) and tenant
attacks apply; a fault that needs Gauntlet's own Postgres is refused with a clear
message. A fixed listen port (`@PORT`) lets the system be configured before the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from chaos.faults import AuditPoisonRecordFault, DownFault, Fault, TenantAttack, ToxicFault
from chaos.faults.errors import FaultInjectionError
from chaos.faults.target import BUILTIN_UPSTREAMS, DatabaseServer, Upstream
from chaos.toxiproxy import ProxyHandle, ToxiproxyClient, ToxiproxyRejected, open_toxiproxy
from chaos.world import STATE_DIR
from vocabulary import unknown_name

UPSTREAM_NAMES: tuple[str, ...] = BUILTIN_UPSTREAMS
# What can break a system Gauntlet did not start: its traffic and its requests, no more.
REMOTE_FAULTS: tuple[type[Fault], ...] = (
    ToxicFault,
    DownFault,
    TenantAttack,
    AuditPoisonRecordFault,
)
_DECLARATION = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]{0,39})=(?P<host>[^:@\s]+):(?P<port>\d+)(@(?P<listen>\d+))?$"
)


def applies_remotely(fault: Fault) -> bool:
    """Whether `fault` can be applied to a `RemoteWorld` (no database of Gauntlet's own)."""
    return isinstance(fault, REMOTE_FAULTS)


@dataclass(frozen=True)
class DeclaredUpstream:
    """`--upstream NAME=HOST:PORT[@LISTEN_PORT]`: where the system's upstream really is."""

    name: str
    address: str  # host:port of the real upstream
    listen_port: int = 0  # 0: any free port

    @property
    def listen(self) -> str:
        return f"127.0.0.1:{self.listen_port}"


def parse_upstream(text: str) -> DeclaredUpstream:
    """One `--upstream` value; a `ValueError` with one line says what was expected."""
    match = _DECLARATION.match(text.strip())
    if match is None:
        raise ValueError(
            f"--upstream {text!r}: expected NAME=HOST:PORT or NAME=HOST:PORT@LISTEN_PORT "
            f"(NAME in lower case: ops, metrics, or a further upstream such as cache), "
            f"e.g. ops=db.internal:5432"
        )
    ports = [int(match["port"]), int(match["listen"] or 0)]
    if not 0 < ports[0] < 65536 or not 0 <= ports[1] < 65536:
        raise ValueError(f"--upstream {text!r}: ports must be within 1-65535")
    return DeclaredUpstream(match["name"], f"{match['host']}:{match['port']}", ports[1])


@dataclass
class RemoteWorld:
    """A `chaos.faults.FaultTarget` for a system Gauntlet did not start."""

    toxiproxy: ToxiproxyClient
    proxies: Mapping[str, ProxyHandle]
    upstreams: Mapping[str, DeclaredUpstream]
    tenant_keys: dict[str, str] = field(default_factory=dict)  # tenant id -> API key
    service_url: str = ""
    audit_spool_dir: Path | None = None  # the system's own; Gauntlet cannot see it
    app_roles: tuple[str, ...] = ()

    @property
    def tenants(self) -> tuple[str, ...]:
        return tuple(self.tenant_keys)

    def proxy_name(self, upstream: Upstream) -> str:
        if upstream not in self.proxies:
            raise FaultInjectionError(
                f"{unknown_name('upstream', upstream, self.proxies)} (declare it with "
                f"--upstream {upstream}=HOST:PORT)"
            )
        return self.proxies[upstream].name

    def listen_lines(self) -> list[str]:
        return [
            f"{name}: point the system at {proxy.listen} (Toxiproxy in front of "
            f"{self.upstreams[name].address})"
            for name, proxy in self.proxies.items()
        ]

    @property
    def postgres(self) -> DatabaseServer:
        raise self._not_ours("stop, kill or restart the database server")

    @property
    def admin_dsn(self) -> str:
        raise self._not_ours("change the database's schema or sessions")

    @property
    def app_dsn(self) -> str:
        raise self._not_ours("open connections as the application role")

    def heal(self) -> None:
        """Remove every toxic and re-enable every proxy."""
        self.toxiproxy.reset()

    @staticmethod
    def _not_ours(what: str) -> FaultInjectionError:
        return FaultInjectionError(
            f"this fault must {what}, and against --target-url Gauntlet owns no database: "
            "only network faults and tenant attacks apply"
        )


@contextmanager
def open_remote_world(
    upstreams: Sequence[DeclaredUpstream],
    tenant_keys: Mapping[str, str],
    toxiproxy: str = "auto",
) -> Iterator[RemoteWorld]:
    """Toxiproxy with one proxy per declared upstream, for the duration of the block."""
    names = [u.name for u in upstreams]
    if len(set(names)) != len(names):
        raise ValueError(f"--upstream: each upstream may be declared once, got {names}")
    with open_toxiproxy(toxiproxy, state_dir=STATE_DIR / "toxiproxy") as client:
        proxies = {u.name: _proxy_in_front_of(client, u) for u in upstreams}
        yield RemoteWorld(
            toxiproxy=client,
            proxies=proxies,
            upstreams={u.name: u for u in upstreams},
            tenant_keys=dict(tenant_keys),
        )


def _proxy_in_front_of(client: ToxiproxyClient, upstream: DeclaredUpstream) -> ProxyHandle:
    try:
        return client.create_proxy(
            f"gauntlet_{upstream.name}", upstream=upstream.address, listen=upstream.listen
        )
    except ToxiproxyRejected as exc:
        hint = " (another process may hold that port: free it or declare another @PORT)"
        raise ToxiproxyRejected(
            f"--upstream {upstream.name}: {exc}{hint if upstream.listen_port else ''}"
        ) from None
