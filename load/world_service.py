"""The orchestrator service on a `chaos.world`: its config, and the world a load run needs.

The chaos suite hands this config to the system under test as the contract's environment
(`orchestrator.service.env_from_config`); the load runner's uvicorn workers read it from
a file. Both are built here, from the world's proxies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from chaos.seed import SeedOptions
from chaos.world import World, open_world
from orchestrator.service import ServiceConfig, write_service_config


def world_service_config(
    world: World,
    spool_dir: Path,
    *,
    request_deadline_seconds: float = 5.0,
    rate_limits: Mapping[str, Mapping[str, int]] | None = None,
    breaker_failure_threshold: int = 5,
    breaker_cool_down_seconds: float = 5.0,
) -> ServiceConfig:
    """The orchestrator service on `world`: every upstream through its proxy.

    The world learns where the service spools, so the spool's faults can reach it."""
    world.audit_spool_dir = spool_dir
    return ServiceConfig(
        **world.service_dsns(),
        spool_dir=spool_dir,
        api_keys=world.api_key_table,
        request_deadline_seconds=request_deadline_seconds,
        rate_limits=dict(rate_limits or {}),
        breaker_failure_threshold=breaker_failure_threshold,
        breaker_cool_down_seconds=breaker_cool_down_seconds,
    )


@contextmanager
def open_load_stack(
    db: str, *, tenants: int, work_dir: Path, request_deadline_seconds: float = 5.0
) -> Iterator[tuple[World, Path]]:
    """A seeded world behind Toxiproxy, and the path of the config the service workers read."""
    with open_world(db, seed_options=SeedOptions(tenants=tenants)) as world:
        config = world_service_config(
            world, work_dir / "audit-spool", request_deadline_seconds=request_deadline_seconds
        )
        yield world, write_service_config(work_dir / "service.json", config)
