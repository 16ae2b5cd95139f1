"""The system under test on a `chaos.world`: its deployment settings, and the world a
load run needs.

The settings travel to the system as the contract's environment (`contract.environment`),
whether it is the reference under several uvicorn workers or any other command.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import contract
from chaos.seed import SeedOptions
from chaos.spool_filesystem import mounted_spool
from chaos.world import World, open_world


def world_service_config(
    world: World,
    spool_dir: Path,
    *,
    request_deadline_seconds: float = 5.0,
    rate_limits: Mapping[str, Mapping[str, int]] | None = None,
    breaker_failure_threshold: int = 5,
    breaker_cool_down_seconds: float = 5.0,
    audit_spool_max_bytes: int | None = None,
) -> dict[str, Any]:
    """The settings (named as in `contract.SETTINGS`) of the system on `world`: every
    upstream through its proxy.

    The world learns where the service spools, so the spool's faults can reach it."""
    world.audit_spool_dir = spool_dir
    return {
        **world.service_dsns(),
        "spool_dir": spool_dir,
        "api_keys": dict(world.api_key_table),
        "request_deadline_seconds": float(request_deadline_seconds),
        "rate_limits": {tool: dict(limit) for tool, limit in (rate_limits or {}).items()},
        "breaker_failure_threshold": breaker_failure_threshold,
        "breaker_cool_down_seconds": float(breaker_cool_down_seconds),
        "audit_spool_max_bytes": audit_spool_max_bytes,  # None: the system's own
    }


@contextmanager
def open_load_stack(
    db: str,
    *,
    tenants: int,
    work_dir: Path,
    request_deadline_seconds: float = 5.0,
    upstreams: Mapping[str, str] | None = None,
) -> Iterator[tuple[World, dict[str, str]]]:
    """A seeded world behind Toxiproxy, and the contract's environment for the system.

    `upstreams` are the system's declared upstreams (name -> host:port, the promises'
    `upstreams`): each gets a proxy, and the environment says where it listens."""
    seeds = SeedOptions(tenants=tenants)
    spool = work_dir / "audit-spool"
    with (
        open_world(db, seed_options=seeds, upstreams=upstreams) as world,
        # its own small filesystem, so spool_disk_full can fill it (chaos.spool_filesystem)
        mounted_spool(spool) as problem,
    ):
        if problem is not None:
            logging.getLogger("chaos").warning("spool_disk_full cannot land: %s", problem)
        settings = world_service_config(
            world, spool, request_deadline_seconds=request_deadline_seconds
        )
        yield world, contract.environment(settings) | world.upstream_environment()
