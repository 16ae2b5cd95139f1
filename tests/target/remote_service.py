"""A service that is already running, for the --target-url tests: the reference
orchestrator on a seeded Postgres, wired through fixed proxy ports or straight past them."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from chaos import free_loopback_port, schema
from chaos.world import World

CONTRACT_DSNS = {
    "GAUNTLET_OPS_DSN": ("ops", schema.OPS_DB, schema.READER),
    "GAUNTLET_METRICS_DSN": ("metrics", schema.METRICS_DB, schema.READER),
    "GAUNTLET_AUDIT_DSN": ("ops", schema.OPS_DB, schema.AUDITOR),
}


class RemoteService:
    """The contract's environment for a service on `world`'s Postgres, and the
    `--upstream` declarations that put Gauntlet's proxies (fixed ports) in its path."""

    def __init__(self, world: World, spool_dir: Path, *, through_proxies: bool) -> None:
        self.listen = {"ops": free_loopback_port(), "metrics": free_loopback_port()}
        postgres = f"{world.postgres.host}:{world.postgres.port}"
        self.upstream_args = [
            arg
            for name, port in self.listen.items()
            for arg in ("--upstream", f"{name}={postgres}@{port}")
        ]
        self.env = {
            variable: _dsn(world, database, role, self.listen[name] if through_proxies else None)
            for variable, (name, database, role) in CONTRACT_DSNS.items()
        }
        self.env["GAUNTLET_API_KEYS"] = json.dumps(world.api_key_table)
        self.env["GAUNTLET_SPOOL_DIR"] = str(spool_dir)


def _dsn(world: World, database: str, role: str, port: int | None) -> str:
    direct = urlsplit(world.postgres.dsn(database, role))
    if port is None:
        return direct.geturl()
    credentials = direct.netloc.rpartition("@")[0]
    return urlunsplit(direct._replace(netloc=f"{credentials}@127.0.0.1:{port}"))
