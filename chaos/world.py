"""The world around the orchestrator: a seeded Postgres behind one Toxiproxy proxy per upstream.

    with open_world("embedded", "auto") as world:
        world.upstream_dsn("metrics", schema.METRICS_DB, schema.READER)   # through its proxy
        with some_fault.apply(world): ...

A system may declare further TCP upstreams (a cache, an HTTP API: name -> host:port, from
its promises' `upstreams`): the world puts a proxy in front of each, so every network
fault can target it by name, and the system learns the proxy's address from
`GAUNTLET_UPSTREAM_<NAME>` (`World.upstream_environment`).

`World` implements `chaos.faults.FaultTarget`; whoever starts the orchestrator service sets
`service_url`. Opening a world first clears whatever a killed run left behind (servers,
toxics, disabled proxies), then builds everything fresh.

A Toxiproxy server given by URL may be shared with other people and other runs, so a world
touches only what it made: its proxies carry a name unique to the run, are deleted when the
world closes, and healing removes the toxics of those proxies only (never a global reset).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import contract
from chaos import schema
from chaos.faults.errors import FaultInjectionError
from chaos.faults.target import BUILTIN_UPSTREAMS, Upstream, checked_proxy
from chaos.postgres import PostgresServer, cleanup_stale, start_ops_postgres
from chaos.seed import SeedOptions, api_keys
from chaos.toxiproxy import (
    ProxyHandle,
    ToxiproxyClient,
    ToxiproxyNotFound,
    ToxiproxyUnavailable,
    open_toxiproxy,
)

UPSTREAMS: tuple[str, ...] = BUILTIN_UPSTREAMS
# One fixed place for every run, so the next run finds what a killed one left behind.
STATE_DIR = Path(tempfile.gettempdir()) / "gauntlet-state"


@dataclass
class World:
    postgres: PostgresServer
    toxiproxy: ToxiproxyClient
    proxies: Mapping[str, ProxyHandle]
    seed_options: SeedOptions
    app_roles: tuple[str, ...] = (schema.READER, schema.AUDITOR)
    service_url: str = ""
    audit_spool_dir: Path | None = None  # set, like service_url, by whoever starts the service
    tenant_keys: dict[str, str] = field(default_factory=dict)  # tenant id -> API key
    declared_upstreams: Mapping[str, str] = field(default_factory=dict)  # name -> host:port

    def proxy_name(self, upstream: Upstream) -> str:
        checked_proxy(self.proxies, upstream)
        return self.proxies[upstream].name

    def upstream_environment(self) -> dict[str, str]:
        """`GAUNTLET_UPSTREAM_<NAME>` -> its proxy's address, for each declared upstream."""
        return contract.upstream_environment(
            {name: self.proxies[name].listen for name in self.declared_upstreams}
        )

    @property
    def admin_dsn(self) -> str:
        return self.postgres.dsn(schema.OPS_DB, self.postgres.superuser)

    @property
    def app_dsn(self) -> str:
        return self.postgres.dsn(schema.OPS_DB, schema.READER)

    @property
    def tenants(self) -> tuple[str, ...]:
        return self.seed_options.tenant_ids

    def upstream_dsn(self, upstream: Upstream, database: str, role: str) -> str:
        """A DSN for `role` on `database` that goes through `upstream`'s proxy."""
        if upstream in self.declared_upstreams:
            raise FaultInjectionError(
                f"upstream {upstream!r} is a declared TCP service "
                f"({self.declared_upstreams[upstream]}), not Gauntlet's Postgres: only "
                "network faults (latency, reset_peer, down, ...) can target it"
            )
        direct = urlsplit(self.postgres.dsn(database, role))
        proxy = self.proxies[upstream]
        credentials = direct.netloc.rpartition("@")[0]
        return urlunsplit(direct._replace(netloc=f"{credentials}@{proxy.host}:{proxy.port}"))

    def service_dsns(self) -> dict[str, str]:
        """The orchestrator service's three upstream DSNs, each through its proxy."""
        return {
            "ops_dsn": self.upstream_dsn("ops", schema.OPS_DB, schema.READER),
            "metrics_dsn": self.upstream_dsn("metrics", schema.METRICS_DB, schema.READER),
            "audit_dsn": self.upstream_dsn("ops", schema.OPS_DB, schema.AUDITOR),
        }

    @property
    def api_key_table(self) -> dict[str, str]:
        """API key -> tenant id, as the service reads it."""
        return {key: tenant for tenant, key in self.tenant_keys.items()}

    def heal(self) -> None:
        """Remove the toxics of this world's proxies, re-enable them, start Postgres if down."""
        self.toxiproxy.heal(proxy.name for proxy in self.proxies.values())
        if not self.postgres.is_running():
            self.postgres.start()


@contextmanager
def open_world(
    db: str = "embedded",
    toxiproxy: str = "auto",
    *,
    seed_options: SeedOptions = SeedOptions(),
    upstreams: Mapping[str, str] | None = None,
) -> Iterator[World]:
    """Start Postgres (schema + seed) and Toxiproxy with a proxy per upstream; stop both after.

    `upstreams` are the system's declared upstreams, name -> host:port: the `upstreams` of
    the promises in effect (`contract.Promises.upstreams`, read from `--promises FILE`).
    Each gets a proxy beside `ops` and `metrics`."""
    declared = dict(upstreams or {})
    _refuse_builtin_names(declared)
    cleanup_stale()
    with ExitStack() as stack:
        server = start_ops_postgres(db, seed_options)
        stack.callback(server.close)
        client = stack.enter_context(open_toxiproxy(toxiproxy, state_dir=STATE_DIR / "toxiproxy"))
        upstream = f"{server.host}:{server.port}"
        run_id = uuid.uuid4().hex[:8]
        proxies: dict[str, ProxyHandle] = {}
        for name in UPSTREAMS:
            proxies[name] = client.create_proxy(f"gauntlet_{name}_{run_id}", upstream=upstream)
            stack.callback(_delete_proxy, client, proxies[name].name)
        for name, address in declared.items():
            proxies[name] = client.create_proxy(f"gauntlet_{name}_{run_id}", upstream=address)
            stack.callback(_delete_proxy, client, proxies[name].name)
        keys = api_keys(tenants=seed_options.tenants)
        yield World(
            postgres=server,
            toxiproxy=client,
            proxies=proxies,
            seed_options=seed_options,
            tenant_keys={tenant: key for key, tenant in keys.items()},
            declared_upstreams=declared,
        )


def _refuse_builtin_names(declared: Mapping[str, str]) -> None:
    clash = sorted(set(declared) & set(BUILTIN_UPSTREAMS))
    if clash:
        raise ValueError(
            f"upstreams: {', '.join(clash)} is built in (Gauntlet's own Postgres); "
            "declare further upstreams under other names"
        )


def _delete_proxy(client: ToxiproxyClient, name: str) -> None:
    # Deleting a proxy deletes its toxics with it; a server already gone has nothing to delete.
    try:
        client.delete_proxy(name)
    except (ToxiproxyNotFound, ToxiproxyUnavailable):
        pass
