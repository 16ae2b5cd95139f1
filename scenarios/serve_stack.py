"""A local orchestrator service on a seeded Postgres: what `gauntlet serve` runs.

`local_service_stack` starts Postgres (any backend of `chaos.postgres`), seeds it,
writes the service config (usable by `uvicorn --factory orchestrator.service:app_from_env`
in other processes too) and yields everything needed to serve; on exit it stops what
it started, in reverse order.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chaos.postgres import open_postgres
from chaos.seed import api_keys, seed
from orchestrator.service import ServiceConfig, write_service_config

READER_ROLE = "gauntlet_reader"
AUDITOR_ROLE = "gauntlet_auditor"


@dataclass(frozen=True)
class LocalService:
    config: ServiceConfig
    config_path: Path
    # API key -> tenant id, for the seeded tenants.
    api_keys: dict[str, str]
    startup_seconds: float


@contextmanager
def local_service_stack(db: str, *, tenants: int, work_dir: Path) -> Iterator[LocalService]:
    """Postgres started and seeded with `tenants` tenants; the service config written."""
    started = time.perf_counter()
    with open_postgres(db) as server:
        seed(server, tenants=tenants)
        keys = api_keys(tenants=tenants)
        config = ServiceConfig(
            ops_dsn=server.dsn("ops", READER_ROLE),
            metrics_dsn=server.dsn("metrics", READER_ROLE),
            audit_dsn=server.dsn("ops", AUDITOR_ROLE),
            spool_dir=work_dir / "audit-spool",
            api_keys=keys,
        )
        config_path = write_service_config(work_dir / "service.json", config)
        yield LocalService(config, config_path, keys, time.perf_counter() - started)
