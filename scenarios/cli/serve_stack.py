"""A local orchestrator service on a seeded Postgres: what `gauntlet serve` runs.

`local_service_stack` starts Postgres (any backend of `chaos.postgres`) with the ops
schema and seed, writes the service config (usable by
`uvicorn --factory orchestrator.service:app_from_env` in other processes too) and
yields everything needed to serve; on exit it stops Postgres.

With `toxiproxy` set (`serve --chaos`), the world of the chaos suite is started instead:
each upstream behind its own Toxiproxy proxy, the service's DSNs through those proxies,
so that `gauntlet fault add` can break them by hand.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chaos import schema
from chaos.postgres import start_ops_postgres
from chaos.seed import SeedOptions, api_keys
from chaos.world import World, open_world
from orchestrator.service import ServiceConfig, write_service_config


@dataclass(frozen=True)
class LocalService:
    config: ServiceConfig
    config_path: Path
    # API key -> tenant id, for the seeded tenants.
    api_keys: dict[str, str]
    startup_seconds: float
    # Database role -> password, made at random for this stack.
    database_passwords: dict[str, str]
    credentials_path: Path
    world: World | None = None  # with `--chaos`: the proxies faults are added to


@contextmanager
def local_service_stack(
    db: str,
    *,
    tenants: int,
    work_dir: Path,
    spool_dir: Path | None = None,
    toxiproxy: str | None = None,
) -> Iterator[LocalService]:
    """Postgres started and seeded with `tenants` tenants; the service config written.

    The audit spool goes to `spool_dir` (default: inside `work_dir`), which is never
    deleted here: it may hold records the database has not taken yet."""
    if toxiproxy is not None:
        with _chaos_stack(db, toxiproxy, tenants, work_dir, spool_dir) as service:
            yield service
        return
    started = time.perf_counter()
    options = SeedOptions(tenants=tenants)
    with start_ops_postgres(db, options) as server:
        keys = api_keys(tenants=tenants)
        config = ServiceConfig(
            ops_dsn=server.dsn(schema.OPS_DB, schema.READER),
            metrics_dsn=server.dsn(schema.METRICS_DB, schema.READER),
            audit_dsn=server.dsn(schema.OPS_DB, schema.AUDITOR),
            spool_dir=spool_dir or work_dir / "audit-spool",
            api_keys=keys,
        )
        config_path = write_service_config(work_dir / "service.json", config)
        passwords = server.passwords()
        credentials = write_credentials(work_dir / "credentials.json", keys, passwords)
        yield LocalService(
            config, config_path, keys, time.perf_counter() - started, passwords, credentials
        )


@contextmanager
def _chaos_stack(
    db: str, toxiproxy: str, tenants: int, work_dir: Path, spool_dir: Path | None
) -> Iterator[LocalService]:
    started = time.perf_counter()
    with open_world(db, toxiproxy, seed_options=SeedOptions(tenants=tenants)) as world:
        world.audit_spool_dir = spool_dir or work_dir / "audit-spool"
        config = ServiceConfig(
            **world.service_dsns(),
            spool_dir=world.audit_spool_dir,
            api_keys=world.api_key_table,
        )
        config_path = write_service_config(work_dir / "service.json", config)
        passwords = world.postgres.passwords()
        keys = world.api_key_table
        credentials = write_credentials(work_dir / "credentials.json", keys, passwords)
        elapsed = time.perf_counter() - started
        yield LocalService(config, config_path, keys, elapsed, passwords, credentials, world)


def write_credentials(path: Path, api_keys: dict[str, str], passwords: dict[str, str]) -> Path:
    """The stack's random secrets in one file only its owner can read (mode 0600 from the
    moment it exists, never readable by others even briefly)."""
    body = {
        "api_keys": {tenant: key for key, tenant in sorted(api_keys.items(), key=lambda i: i[1])},
        "database_passwords": dict(sorted(passwords.items())),
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(body, file, indent=2)
    path.chmod(0o600)  # an existing file keeps its old mode through O_CREAT
    return path
