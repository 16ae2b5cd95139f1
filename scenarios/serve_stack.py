"""A local orchestrator service on a seeded Postgres: what `gauntlet serve` runs.

`local_service_stack` starts Postgres (any backend of `chaos.postgres`) with the ops
schema and seed, writes the service config (usable by
`uvicorn --factory orchestrator.service:app_from_env` in other processes too) and
yields everything needed to serve; on exit it stops Postgres.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chaos import schema
from chaos.postgres import start_ops_postgres
from chaos.seed import SeedOptions, api_keys
from orchestrator.service import ServiceConfig, write_service_config


@dataclass(frozen=True)
class LocalService:
    config: ServiceConfig
    config_path: Path
    # API key -> tenant id, for the seeded tenants.
    api_keys: dict[str, str]
    startup_seconds: float


@contextmanager
def local_service_stack(
    db: str, *, tenants: int, work_dir: Path, spool_dir: Path | None = None
) -> Iterator[LocalService]:
    """Postgres started and seeded with `tenants` tenants; the service config written.

    The audit spool goes to `spool_dir` (default: inside `work_dir`), which is never
    deleted here: it may hold records the database has not taken yet."""
    started = time.perf_counter()
    options = SeedOptions(tenants=tenants)
    with start_ops_postgres(db, options) as server:
        keys = api_keys(seed=options.seed, tenants=tenants)
        config = ServiceConfig(
            ops_dsn=server.dsn(schema.OPS_DB, schema.READER),
            metrics_dsn=server.dsn(schema.METRICS_DB, schema.READER),
            audit_dsn=server.dsn(schema.OPS_DB, schema.AUDITOR),
            spool_dir=spool_dir or work_dir / "audit-spool",
            api_keys=keys,
        )
        config_path = write_service_config(work_dir / "service.json", config)
        yield LocalService(config, config_path, keys, time.perf_counter() - started)
