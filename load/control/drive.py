"""The asyncio part of a load run: service, collector, Locust and its workers, chaos, live line.

Started by `load.control.runner`. Everything is stopped on every way out (end, stop condition,
Ctrl-C, hard deadline): Locust first (its master tells the workers to quit), then the
harness waits for every worker's final batch while the collector still listens, and only
then stops the workers, the collector and the service. What happened is written into a
`DriveOutcome` the caller owns, so it survives an interrupted run.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.live import Live

from chaos.loopback_port import free_loopback_port
from chaos.schedule import FaultSpan
from chaos.stop_watch import StopDecision, StopWatch
from chaos.world import World
from load.inputs.run_config import LocustRunConfig
from load.transport.collector import ObservationCollector, bound_socket
from load.transport.ledger import Batch
from target.child_process import ChildProcess
from target.choice import ReferenceTuning, TargetChoice, started_target
from vocabulary import phase_at

from .chaos_driver import ChaosLog, run_schedule
from .locust_args import LocustOptions, locust_args
from .progress import ProgressTracker
from .topology import Topology

STARTUP_TIMEOUT_S = 60.0  # Locust's import and spawn of its first users
SHUTDOWN_GRACE_S = 10.0
FINAL_DELIVERY_S = 40.0  # a worker's own limit (30 s) plus a margin
MASTER_QUIT_S = 10.0  # for the master's quit message to reach the workers
LOG_EVERY_S = 10.0  # with no terminal, the status line this often


@dataclass
class DriveOutcome:
    locust_exit: int = -1
    tripped: StopDecision | None = None
    incomplete_workers: list[str] = field(default_factory=list)


@dataclass
class Drive:
    """One run's moving parts; `config_for(url, collector_url)` resolves the profile."""

    topology: Topology
    console: Console
    out_dir: Path
    workers_dir: Path
    run_s: float
    spans: list[FaultSpan]
    chaos_log: ChaosLog
    collector: ObservationCollector
    stop_watch: StopWatch
    outcome: DriveOutcome
    target: TargetChoice = TargetChoice()
    reference: ReferenceTuning = ReferenceTuning()
    web_ui: bool = False
    tracker: ProgressTracker = field(default_factory=ProgressTracker)

    def on_batch(self, batch: Batch) -> None:
        """Every stored batch: feed the live line and the stop conditions."""
        now = time.time()
        answers = [
            (float(record["latency_ms"]), str(record["status"]))
            for record in map(json.loads, batch.observations)
        ]
        self.tracker.add(answers, now)
        self.tracker.users = self.collector.ledger.users
        self.stop_watch.add(answers, now)

    async def run(
        self,
        stack: World,
        contract_env: Mapping[str, str],
        config_for: Callable[[str, str], LocustRunConfig],
    ) -> None:
        topo = self.topology
        async with AsyncExitStack() as service:
            url = await self._start_target(contract_env, service)
            stack.service_url = url
            sock = bound_socket(topo.bind_host, topo.collector_port)
            collector_port = sock.getsockname()[1]
            locust_port = topo.locust_port or free_loopback_port()
            config = config_for(url, f"http://127.0.0.1:{collector_port}")
            config_path = config.write(self.out_dir / "work" / "locust.json")
            self.collector.worker_config = {
                "locust": config.model_dump(mode="json"),
                "locust_port": locust_port,
            }
            async with self.collector.serving(sock):
                await self._run_locust(config, config_path, collector_port, locust_port, stack)

    async def _start_target(self, contract_env: Mapping[str, str], service: AsyncExitStack) -> str:
        """Start the system under test (unless it is given by URL), stopped when `service`
        closes; returns its base URL."""
        topo = self.topology
        return await service.enter_async_context(
            started_target(
                self.target,
                contract_env,
                log_path=self.out_dir / "service.log",
                host=topo.bind_host,
                port=topo.service_port,
                reference=self.reference,
            )
        )

    async def _run_locust(
        self,
        config: LocustRunConfig,
        config_path: Path,
        collector_port: int,
        locust_port: int,
        stack: World,
    ) -> None:
        """Locust (and the local workers) from start to stop, supervised until the run ends."""
        options = LocustOptions(
            expect_workers=self.topology.expect_workers,
            master_bind_host=self.topology.bind_host,
            master_bind_port=locust_port,
            web_ui=self.web_ui,
            web_port=free_loopback_port() if self.web_ui else 0,
            csv_prefix=self.out_dir / "locust",
        )
        argv = [sys.executable, "-m", "load.in_locust.locust_main", str(config_path)]
        locust = await ChildProcess.start(
            "locust", [*argv, *locust_args(config, options)], log_path=self.out_dir / "locust.log"
        )
        workers: list[ChildProcess] = []
        try:
            await self._start_local_workers(workers, collector_port)
            self._say_where_to_look(options, collector_port)
            await self._supervise(locust, stack)
        finally:
            # SIGINT lets Locust write its final CSV/JSON and tell its workers to quit.
            self.outcome.locust_exit = await locust.stop(
                grace_s=SHUTDOWN_GRACE_S, first_signal=signal.SIGINT
            )
            await self._wait_for_workers(workers)

    async def _start_local_workers(self, workers: list[ChildProcess], collector_port: int) -> None:
        """This host's workers, each added to `workers` as soon as it runs (so it is stopped
        whatever happens next)."""
        join = [sys.executable, "-m", "load.transport.worker_join", f"127.0.0.1:{collector_port}"]
        for index in range(self.topology.local_workers):
            log = self.out_dir / f"worker-{index + 1}.log"
            workers.append(await ChildProcess.start(f"worker-{index + 1}", join, log_path=log))

    def _say_where_to_look(self, options: LocustOptions, collector_port: int) -> None:
        if self.web_ui:
            self.console.print(f"Locust web UI: http://127.0.0.1:{options.web_port}")
        if self.topology.remote:
            self.console.print(
                f"waiting for {self.topology.expect_workers} worker(s): on each host run "
                f"`gauntlet worker --master <this host's address>:{collector_port}`"
            )

    async def _wait_for_workers(self, workers: list[ChildProcess]) -> None:
        """Every worker's final batch, while the collector still listens; then stop them.

        Locust's master tells its workers to quit as it stops. A local worker that never
        heard it (on a starved machine the master can be killed at the end of its grace
        first) is asked directly: SIGTERM makes a Locust worker quit the same way, and its
        quitting delivers the final batch. Without that it would wait a minute for the
        master's heartbeat and miss the harness's wait."""
        incomplete = await self.collector.wait_until_complete(MASTER_QUIT_S)
        if incomplete:
            for worker in workers:
                worker.signal(signal.SIGTERM)
            incomplete = await self.collector.wait_until_complete(FINAL_DELIVERY_S)
        self.outcome.incomplete_workers = incomplete
        for worker in workers:
            await worker.stop(grace_s=SHUTDOWN_GRACE_S)

    async def _supervise(self, locust: ChildProcess, stack: World) -> None:
        # Remote workers may take a person's while to start: wait for them without a limit.
        startup = None if self.topology.remote else STARTUP_TIMEOUT_S
        t0 = await _wait_for_start(locust, self.workers_dir / "started.json", startup)
        windows = [span.window for span in self.spans]
        async with asyncio.timeout(self.run_s + STARTUP_TIMEOUT_S):
            async with asyncio.TaskGroup() as group:
                chaos = group.create_task(
                    run_schedule(self.spans, stack, t0, self.chaos_log, self.run_s)
                )
                with _status_lines(self.console) as show:
                    while locust.returncode is None:
                        await asyncio.sleep(0.5)
                        now = time.time()
                        # The live line names the phase of this instant, not of a request.
                        phase = phase_at(now - t0, windows).value
                        show(self.tracker.line(now - t0, phase, now), now)
                        self.outcome.tripped = self.stop_watch.tripped(now)
                        if self.outcome.tripped is not None:
                            self.console.print(f"[bold red]{self.outcome.tripped}[/]: stopping")
                            break
                chaos.cancel()  # Locust is done (or stopped): roll back what is still applied


@contextmanager
def _status_lines(console: Console) -> Iterator[Callable[[str, float], None]]:
    """On a terminal, one live line redrawn in place; in a log (no terminal), the same line
    every `LOG_EVERY_S` seconds, each a whole line of its own (a live display there leaves
    its last frame without a newline, glued to whatever is printed next)."""
    if console.is_terminal:
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            yield lambda line, now: live.update(line)
        return
    last = [0.0]

    def log(line: str, now: float) -> None:
        if now - last[0] >= LOG_EVERY_S:
            last[0] = now
            console.print(line, no_wrap=True, overflow="ellipsis", highlight=False)

    yield log


async def _wait_for_start(locust: ChildProcess, marker: Path, timeout_s: float | None) -> float:
    async with asyncio.timeout(timeout_s):
        while not marker.exists():
            if locust.returncode is not None:
                last = locust.log_tail(lines=1) or "no output"
                raise RuntimeError(
                    f"Locust exited with code {locust.returncode} before starting: {last} "
                    f"(see {locust.log_path})"
                )
            await asyncio.sleep(0.1)
    return float(json.loads(marker.read_text())["started"])
