"""The world and the system under test, up for a whole search, and one experiment on them.

    async with explore_stack(options, console) as stack:
        result = await stack.run(scenario, seed=11)   # a ScenarioResult, like `gauntlet run`

The world is Gauntlet's own (Postgres + Toxiproxy, the system started from the contract's
environment, as `gauntlet run` starts it), or, with a URL, proxies in front of a running
system's declared upstreams (checked to carry its traffic first). Each experiment heals
the world before it starts and rolls its faults back on every way out (`run_experiment`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from chaos.remote_world import open_remote_world
from chaos.spool_filesystem import mounted_spool
from chaos.world import open_world
from scenarios.runner.exchange import Outcome
from scenarios.runner.experiment import ScenarioResult, run_experiment
from scenarios.runner.proxy_check import ProxyBypassed, check_traffic_flows
from scenarios.runner.suite_run import CLIENT_TIMEOUT_S, RunOptions, contract_env
from scenarios.spec.model import Scenario
from target.choice import started_target

__all__ = ["ExploreStack", "explore_stack"]


@dataclass
class ExploreStack:
    world: Any  # chaos.world.World, or a RemoteWorld with --target-url
    client: httpx.AsyncClient
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
    with _world(options, console) as world:
        async with (
            _system_under_test(world, options) as url,
            httpx.AsyncClient(base_url=url, timeout=CLIENT_TIMEOUT_S) as client,
        ):
            world.service_url = url
            yield ExploreStack(
                world, client, options.out_dir / "observations.jsonl", asyncio.Event()
            )


@contextmanager
def _world(options: RunOptions, console: Console) -> Iterator[Any]:
    if options.target_url is None:
        with open_world(options.db, options.toxiproxy) as world:
            yield world
        return
    tenant_keys = {tenant: key for key, tenant in options.api_keys.items()}
    with open_remote_world(options.upstreams, tenant_keys, options.toxiproxy) as remote:
        for line in remote.listen_lines():
            console.print(line, soft_wrap=True, markup=False)
        problems = check_traffic_flows(remote, options.target_url)
        if problems:
            raise ProxyBypassed("\n".join(problems))
        yield remote


@asynccontextmanager
async def _system_under_test(world: Any, options: RunOptions) -> AsyncIterator[str]:
    log_path = options.out_dir / "target.log"
    if options.target_url:
        async with started_target(options.target, {}, log_path=log_path) as url:
            yield url
        return
    spool_dir = options.out_dir / "audit-spool"
    with mounted_spool(spool_dir):  # its own filesystem, so spool_disk_full can land
        async with started_target(
            options.target, contract_env(world, spool_dir), log_path=log_path
        ) as url:
            yield url
