"""A load profile resolved for one Locust process tree (see `load/inputs/run_config.py`)."""

from __future__ import annotations

from pathlib import Path

from chaos.world import World
from load.inputs.profile import LoadProfile
from load.inputs.run_config import LocustRunConfig, ShapeStep, WeightedIntent, WeightedTenant
from load.inputs.shape_replay import sample_tick


def locust_run_config(
    profile: LoadProfile, stack: World, host: str, workers_dir: Path, collector_url: str
) -> LocustRunConfig:
    """The profile, resolved for one Locust process tree (see `load/inputs/run_config.py`)."""
    arrival = (
        getattr(profile.shape, "rate", None) if profile.shape.kind == "constant_arrival" else None
    )
    steps: list[ShapeStep] = sample_tick(profile.tick, profile.duration)
    return LocustRunConfig(
        scenario=profile.name,
        host=host,
        observation_dir=workers_dir,
        duration_s=profile.duration,
        intents=[
            WeightedIntent(intent=i.intent, weight=i.weight, parameters=i.parameters)
            for i in profile.intents
        ],
        tenants=[
            WeightedTenant(tenant=t.tenant, weight=t.weight, api_key=stack.tenant_keys[t.tenant])
            for t in profile.tenants
        ],
        shape=steps,
        arrival_rate=arrival,
        collector_url=collector_url,
    )
