"""The world and the system under test, up for a whole search, and one experiment on them.

    async with explore_stack(options, console) as stack:
        result = await stack.run(scenario, seed=11)   # a ScenarioResult, like `gauntlet run`

The world and the system are built exactly as `gauntlet run` builds them: Gauntlet's own
(Postgres + Toxiproxy, the system started from the contract's environment), or, with a URL,
proxies in front of a running system's declared upstreams (checked to carry its traffic
first). Each experiment heals the world before it starts and rolls its faults back on every
way out (`run_experiment`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from scenarios.runner.exchange import Outcome
from scenarios.runner.experiment import ScenarioResult, run_experiment
from scenarios.runner.service_client import ServiceClient, service_client
from scenarios.runner.suite_run import CLIENT_TIMEOUT_S, RunOptions

# One way to build the world and start the system under test, shared with `gauntlet run`
# (its own world or a running system's proxied upstreams, the spool's filesystem, the
# contract's environment), so the experiments meet exactly what a scenario run meets.
from scenarios.runner.suite_run import _system_under_test as system_under_test
from scenarios.runner.suite_run import _world as world_of
from scenarios.spec.model import Scenario

__all__ = ["ExploreStack", "explore_stack"]


@dataclass
class ExploreStack:
    world: Any  # chaos.world.World, or a RemoteWorld with --target-url
    client: ServiceClient
    observations: Path
    stop: asyncio.Event  # set by Ctrl-C: no new request, roll back, finish

    async def run(self, scenario: Scenario, *, seed: int) -> ScenarioResult:
        """One experiment, start to end; its observations are appended to the file."""
        with self.observations.open("a", encoding="utf-8") as file:

            def record(outcome: Outcome) -> None:
                file.write(outcome.observation.to_json() + "\n")

            return await run_experiment(
                scenario, self.world, self.client, seed=seed, record=record, stop=self.stop
            )


@asynccontextmanager
async def explore_stack(options: RunOptions, console: Console) -> AsyncIterator[ExploreStack]:
    """Everything up for the block, torn down on every way out."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    with world_of(options, console) as world:
        async with (
            system_under_test(world, options) as url,
            service_client(url, timeout_s=CLIENT_TIMEOUT_S) as client,
        ):
            world.service_url = url
            yield ExploreStack(
                world, client, options.out_dir / "observations.jsonl", asyncio.Event()
            )
