"""The world and the system under test, up for a whole search, and one experiment on them.

    async with explore_stack(options, console) as stack:
        result = await stack.run(scenario, seed=11)   # a ScenarioResult, like `gauntlet run`

The world and the system are built exactly as `gauntlet run` builds them: Gauntlet's own
(Postgres + Toxiproxy, the system started from the contract's environment), or, with a URL,
proxies in front of a running system's declared upstreams (checked to carry its traffic
first). Each experiment heals the world before it starts and rolls its faults back on every
way out (`run_experiment`). A system Gauntlet started is started again, from its command or
image, before each fresh run of a candidate (`restart`): what an earlier experiment left in
its memory (a breaker's streak, a pool, a queue) does not confirm a find. One given by URL
is not Gauntlet's to restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
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
    options: RunOptions  # how the system under test is started
    held: AsyncExitStack = field(default_factory=AsyncExitStack)  # the system, while it runs
    restarts: int = 0

    @property
    def restartable(self) -> bool:
        """A system Gauntlet started (a command, an image); one given by URL is not."""
        return not self.options.target.url

    async def start(self) -> None:
        """Start the system under test on this world (the spool mounted, the contract's
        environment), and point the client at it."""
        self.held = AsyncExitStack()
        url = await self.held.enter_async_context(system_under_test(self.world, self.options))
        self.client.base_url = url.rstrip("/")
        self.world.service_url = url

    async def restart(self) -> None:
        """Stop the system under test, and start it again on the same world."""
        await self.held.aclose()
        await self.start()
        self.restarts += 1

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
        # the system's address is known once it has started (and changes on each restart)
        async with service_client("", timeout_s=CLIENT_TIMEOUT_S) as client:
            observations = options.out_dir / "observations.jsonl"
            stack = ExploreStack(world, client, observations, asyncio.Event(), options)
            try:
                await stack.start()
                yield stack
            finally:
                await stack.held.aclose()
