"""What the harness hands to the Locust subprocess: one JSON file, validated on both sides.

The harness resolves the profile (file or name), the command-line overrides and the
service's address into this record; the Locust process only reads it. Keeping the
boundary a plain file means nothing of the harness (asyncio, psycopg) is imported
where gevent has patched the world.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

CONFIG_ENV = "GAUNTLET_LOAD_CONFIG"


class WeightedIntent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    intent: str = Field(min_length=1)
    weight: float = Field(gt=0)
    parameters: dict[str, object] = Field(default_factory=dict)


class WeightedTenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant: str = Field(min_length=1)
    weight: float = Field(gt=0)
    api_key: str = Field(min_length=1)


class ShapeStep(BaseModel):
    """One tick of a precomputed shape: from `at_s` on, run `users` spawned at `spawn_rate`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at_s: float = Field(ge=0)
    users: int = Field(ge=0)
    spawn_rate: float = Field(gt=0)


class LocustRunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str = Field(
        min_length=1, description="load profile name, stamped on every observation"
    )
    host: str = Field(min_length=1)
    intents: list[WeightedIntent] = Field(min_length=1)
    tenants: list[WeightedTenant] = Field(min_length=1)
    observation_dir: Path
    duration_s: float = Field(gt=0)
    # The shape as a step function of elapsed seconds, sampled by the harness from the
    # profile's pure tick function; the Locust process only replays it.
    shape: list[ShapeStep] = Field(min_length=1)
    # Constant-arrival-rate mode: total requests per second across every user and process.
    arrival_rate: float | None = Field(default=None, gt=0)
    # Closed-model pause between a user's requests (ignored in arrival-rate mode).
    think_time_s: float = Field(default=0.0, ge=0)
    request_timeout_s: float = Field(default=30.0, gt=0)
    flush_interval_s: float = Field(default=0.5, gt=0)
    # Where every process that runs users ships its observations (`load.transport.collector`).
    collector_url: str = Field(min_length=1)
    ship_timeout_s: float = Field(default=5.0, gt=0)
    final_delivery_timeout_s: float = Field(default=30.0, gt=0)

    def write(self, path: Path) -> Path:
        path.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> LocustRunConfig:
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))
