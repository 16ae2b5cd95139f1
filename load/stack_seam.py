"""The world a load run needs: `chaos.world` plus the service's config file for uvicorn workers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chaos.seed import SeedOptions
from chaos.world import World, open_world
from orchestrator.service import ServiceConfig, write_service_config


@contextmanager
def open_load_stack(db: str, *, tenants: int, work_dir: Path,
                    request_deadline_seconds: float = 5.0) -> Iterator[tuple[World, Path]]:
    """A seeded world behind Toxiproxy, and the path of the config the service workers read."""
    with open_world(db, seed_options=SeedOptions(tenants=tenants)) as world:
        config = ServiceConfig(**world.service_dsns(), spool_dir=work_dir / "audit-spool",
                               api_keys=world.api_key_table,
                               request_deadline_seconds=request_deadline_seconds)
        yield world, write_service_config(work_dir / "service.json", config)
