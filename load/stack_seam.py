"""The world a load run needs: seeded Postgres behind Toxiproxy, and a `FaultTarget` for it.

A seam: `scenarios/stack.py` (the shared stack) replaces this once it lands; the runner
only uses `open_load_stack` and the `LoadStack` fields below.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from chaos import schema
from chaos.faults.target import DatabaseServer, Upstream
from chaos.postgres import start_ops_postgres
from chaos.seed import SeedOptions, api_keys
from chaos.toxiproxy import ToxiproxyClient, open_toxiproxy
from orchestrator.service import ServiceConfig, write_service_config

_PROXIES: dict[Upstream, str] = {"ops": "gauntlet_load_ops", "metrics": "gauntlet_load_metrics"}


@dataclass
class LoadStack:
    """Implements `chaos.faults.target.FaultTarget`; `service_url` is set once the service runs."""

    toxiproxy: ToxiproxyClient
    postgres: DatabaseServer
    admin_dsn: str
    app_dsn: str
    service_config_path: Path
    tenant_keys: dict[str, str]  # tenant id -> API key
    app_roles: tuple[str, ...] = (schema.READER, schema.AUDITOR)
    service_url: str = ""
    _proxy_names: dict[str, str] = field(default_factory=lambda: dict(_PROXIES))

    def proxy_name(self, upstream: Upstream) -> str:
        return self._proxy_names[upstream]

    @property
    def api_keys(self) -> Mapping[str, str]:
        return self.tenant_keys


def _through(dsn: str, host: str, port: int, real_host: str, real_port: int) -> str:
    return dsn.replace(f"@{real_host}:{real_port}/", f"@{host}:{port}/", 1)


@contextmanager
def open_load_stack(db: str, *, tenants: int, work_dir: Path,
                    request_deadline_seconds: float = 5.0) -> Iterator[LoadStack]:
    """Postgres (seeded), Toxiproxy with one proxy per upstream, and the service config."""
    options = SeedOptions(tenants=tenants)
    with ExitStack() as stack:
        server = start_ops_postgres(db, options)
        stack.callback(server.close)
        toxiproxy = stack.enter_context(open_toxiproxy("local", state_dir=work_dir / ".toxiproxy"))
        upstream = f"{server.host}:{server.port}"
        proxies = {name: toxiproxy.create_proxy(proxy, upstream=upstream)
                   for name, proxy in _PROXIES.items()}

        def via(upstream_name: Upstream, database: str, role: str) -> str:
            proxy = proxies[upstream_name]
            return _through(server.dsn(database, role), proxy.host, proxy.port,
                            server.host, server.port)

        keys = api_keys(seed=options.seed, tenants=tenants)
        config = ServiceConfig(
            ops_dsn=via("ops", schema.OPS_DB, schema.READER),
            metrics_dsn=via("metrics", schema.METRICS_DB, schema.READER),
            audit_dsn=via("ops", schema.OPS_DB, schema.AUDITOR),
            spool_dir=work_dir / "audit-spool",
            api_keys=keys,
            request_deadline_seconds=request_deadline_seconds,
        )
        config_path = write_service_config(work_dir / "service.json", config)
        yield LoadStack(
            toxiproxy=toxiproxy, postgres=server, admin_dsn=server.dsn(schema.OPS_DB, server.superuser),
            app_dsn=server.dsn(schema.OPS_DB, schema.READER), service_config_path=config_path,
            tenant_keys={tenant: key for key, tenant in keys.items()},
        )
