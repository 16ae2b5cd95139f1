"""Run scenarios against a system under test and leave every report in one folder.

    world up (Postgres + Toxiproxy + proxies) ─► system under test up (its own process,
      started from the contract's environment)
      ─► each scenario: run_experiment, observations appended as they arrive
      ─► SLO evaluation + scenario checks ─► reports ─► exit code

Interrupts keep the data true. A first Ctrl-C (or SIGTERM) stops sending: the requests
in flight are answered and recorded, the faults roll back, and the reports are written for
what was observed, with `interrupted: true`. A second Ctrl-C abandons the requests still
in flight (counted as interrupted, never recorded as `failed`), cancels the run, rolls the
faults back and exits at once. The system under test and the world stop either way.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

import contract
from chaos.remote_world import open_remote_world
from chaos.spool_filesystem import mounted_spool
from chaos.world import World, open_world
from scenarios import exit_codes
from scenarios.spec.model import Scenario
from slo import (
    BaselineReport,
    Check,
    DifferentWorkload,
    Evaluation,
    JudgedBy,
    SloSpec,
    evaluate,
    evaluate_files,
    verdict_exit_code,
    write_reports,
)
from target.backends import WorldBackends
from target.choice import TargetChoice, started_target
from target.world_settings import world_service_config
from vocabulary import FaultWindow

from .exchange import Outcome
from .experiment import ScenarioResult, run_experiment
from .proxy_check import ProxyBypassed, check_traffic_flows
from .service_client import service_client
from .terminal import SuiteProgress, print_summary

REQUEST_DEADLINE_S = 5.0
# The suite's deployment protects the ops database with a token bucket on direct_query;
# the rate-limit-burst scenario meets it, the others stay below it.
RATE_LIMITS = {"direct_query": {"per_minute": 3600, "burst": 40}}
# A breaker opens after 4 consecutive upstream failures (one round of the scenarios' 4
# callers) and refuses for 2 s before it probes: long enough that every fault of the
# suite opens it and its refusals are seen, short enough that recovery is not mostly waiting.
BREAKER_FAILURE_THRESHOLD = 4
BREAKER_COOL_DOWN_S = 2.0
# The audit spool may hold 1 MiB of records waiting for the database: far above what an
# outage of the suite spools of ordinary requests (tens of KiB), and well within the
# 16 MiB filesystem Gauntlet mounts for it, so audit-spool-bound meets the bound for real
# and a system without one cannot hide behind the disk.
AUDIT_SPOOL_MAX_BYTES = 1024 * 1024
CLIENT_TIMEOUT_S = 30.0  # far beyond the request deadline: the service must answer first


@dataclass(frozen=True)
class RunOptions:
    out_dir: Path
    world: WorldBackends = field(default_factory=WorldBackends)
    # The system under test: a command or an image started with the contract's
    # environment (neither: the reference orchestrator), or a system already running
    # (a URL), whose declared upstreams get proxies.
    target: TargetChoice = TargetChoice()
    seed: int = 7
    promises_source: str | None = None  # which promises judge the run, in words
    # The system's declared upstreams (name -> host:port), from the promises in effect
    # (`contract.Promises.upstreams`): each gets a proxy in Gauntlet's own world.
    declared_upstreams: Mapping[str, str] = field(default_factory=dict)
    # a previous report.json of the same workload: its healthy phase is compared with this one
    baseline: BaselineReport | None = None


def run_suite(
    scenarios: Sequence[Scenario],
    slo: SloSpec,
    options: RunOptions,
    console: Console,
    *,
    verbose: bool = False,
) -> int:
    """Run everything; returns the exit code (infrastructure errors propagate to the caller)."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    _log_libraries_to(options.out_dir / "run.log")
    results: list[ScenarioResult] = []
    stop = _Interrupts(console)
    previous = signal.getsignal(signal.SIGINT)
    try:
        with _world(options, console) as world:
            try:
                asyncio.run(_run_all(scenarios, world, options, console, results, stop))
            except (KeyboardInterrupt, asyncio.CancelledError):
                stop.presses = max(stop.presses, 2)
            # From here a Ctrl-C only counts: the world's teardown is what rolls back the
            # faults, and a KeyboardInterrupt in the middle of it would leave them in place.
            signal.signal(signal.SIGINT, stop.count)
        if stop.presses:
            console.print("[yellow]interrupted: faults rolled back, writing partial results[/]")
        code = _report(results, slo, options, console, stop=stop, verbose=verbose)
    finally:
        signal.signal(signal.SIGINT, previous)
    return exit_codes.INTERRUPTED if stop.presses else code


class _Interrupts:
    """Ctrl-C / SIGTERM presses: the first stops sending, the second cancels the run."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.presses = 0
        self.sending = asyncio.Event()  # set: stop sending; bound to the run's loop on use
        self.abandoned = 0  # requests in flight when the run was cancelled

    def press(self, main: asyncio.Task[None]) -> None:
        self.presses += 1
        if self.presses == 1:
            self.sending.set()
            self.console.print(
                "[yellow]stopping: answering the requests in flight and rolling back the "
                "faults (Ctrl-C again to abandon them)[/]"
            )
        else:
            main.cancel()

    def count(self, signum: int, frame: object) -> None:
        """A press while the run is already ending: noted, the teardown carries on."""
        self.presses += 1

    @contextmanager
    def handling_signals(self) -> Iterator[None]:
        """SIGINT and SIGTERM press here while the running loop's current task runs."""
        main = asyncio.current_task()
        assert main is not None
        loop = asyncio.get_running_loop()
        self.sending = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.press, main)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


async def _run_all(
    scenarios: Sequence[Scenario],
    world: World,
    options: RunOptions,
    console: Console,
    results: list[ScenarioResult],
    stop: _Interrupts,
) -> None:
    """Each scenario in turn until the last or a first Ctrl-C; a result joins `results` as
    its scenario starts, so an interrupted one is reported too."""
    with (
        stop.handling_signals(),
        _recording_observations(options.out_dir / "observations.jsonl") as record,
    ):
        async with (
            _system_under_test(world, options) as url,
            service_client(url, timeout_s=CLIENT_TIMEOUT_S) as client,
        ):
            world.service_url = url
            with SuiteProgress(console) as progress:
                for index, scenario in enumerate(scenarios):
                    if stop.sending.is_set():
                        break
                    progress.start(scenario)
                    result = ScenarioResult(scenario)
                    results.append(result)
                    await run_experiment(
                        scenario,
                        world,
                        client,
                        seed=options.seed + index,
                        record=lambda o: (
                            record(o),
                            progress.observed(o.observation.status, o.observation.phase),
                        ),
                        stop=stop.sending,
                        into=result,
                    )
                    progress.done(result)


@contextmanager
def _recording_observations(path: Path) -> Iterator[Callable[[Outcome], None]]:
    """Records each outcome's observation in `path`, flushed at once: a run cut short keeps
    everything it saw."""
    # a folder reused for another run starts empty: an earlier run's observations would be
    # judged as this one's
    with path.open("w", encoding="utf-8") as observations:

        def record(outcome: Outcome) -> None:
            observations.write(outcome.observation.to_json() + "\n")
            observations.flush()

        yield record


@contextmanager
def _world(options: RunOptions, console: Console) -> Iterator[Any]:
    """Gauntlet's own world, or proxies in front of a running system's upstreams (checked
    to carry its traffic before anything else happens)."""
    target, backends = options.target, options.world
    if target.url is None:
        declared = options.declared_upstreams
        with open_world(backends.db, backends.toxiproxy, upstreams=declared) as world:
            yield world
        return
    with open_remote_world(target.upstreams, target.tenant_keys, backends.toxiproxy) as remote:
        for line in remote.listen_lines():
            console.print(line, soft_wrap=True, markup=False)
        problems = check_traffic_flows(remote, target.url)
        if problems:
            raise ProxyBypassed("\n".join(problems))
        yield remote


@asynccontextmanager
async def _system_under_test(world: Any, options: RunOptions) -> AsyncIterator[str]:
    """The base URL of the system under test, started here unless it is already running."""
    log_path = options.out_dir / "target.log"
    if options.target.url:
        # A system given by URL is not started: its world holds no spool of ours to name.
        async with started_target(options.target, {}, log_path=log_path) as url:
            yield url
        return
    spool_dir = options.out_dir / "audit-spool"
    contract = contract_env(world, spool_dir)
    # its own small filesystem, so spool_disk_full can fill it (see chaos.spool_filesystem)
    with mounted_spool(spool_dir) as problem:
        if problem is not None:
            logging.getLogger("chaos").warning("spool_disk_full cannot land: %s", problem)
        async with started_target(options.target, contract, log_path=log_path) as url:
            yield url


def service_config(world: World, spool_dir: Path) -> dict[str, Any]:
    """The suite's deployment of the system under test on `world` (contract settings)."""
    return world_service_config(
        world,
        spool_dir,
        request_deadline_seconds=REQUEST_DEADLINE_S,
        rate_limits=RATE_LIMITS,
        breaker_failure_threshold=BREAKER_FAILURE_THRESHOLD,
        breaker_cool_down_seconds=BREAKER_COOL_DOWN_S,
        audit_spool_max_bytes=AUDIT_SPOOL_MAX_BYTES,
    )


def contract_env(world: World, spool_dir: Path) -> dict[str, str]:
    """The same deployment as the system-under-test contract's environment, with where
    each declared upstream's proxy listens."""
    return contract.environment(service_config(world, spool_dir)) | world.upstream_environment()


def _log_libraries_to(path: Path) -> None:
    """Connection-pool and server warnings are expected under chaos: keep them, off screen."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    # asyncio too: a "Task exception was never retrieved" belongs in the log, not on screen.
    for name in ("psycopg", "uvicorn", "chaos", "asyncio"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False


def _report(
    results: Sequence[ScenarioResult],
    slo: SloSpec,
    options: RunOptions,
    console: Console,
    *,
    stop: _Interrupts,
    verbose: bool = False,
) -> int:
    checks: list[Check] = [check for result in results for check in result.checks]
    windows: list[FaultWindow] = [w for result in results for w in result.fault_windows]
    path = options.out_dir / "observations.jsonl"
    interrupted = stop.presses > 0
    # an interrupted run ran part of the workload: nothing to compare with the baseline
    evaluation = _evaluated(path, slo, None if interrupted else options.baseline, console)
    judged_by = None
    if options.promises_source is not None:
        not_judged = tuple(entry for result in results for entry in result.not_judged)
        judged_by = JudgedBy(options.promises_source, not_judged)
    abandoned = sum(result.tally.interrupted for result in results)
    write_reports(
        options.out_dir,
        evaluation,
        checks=checks,
        fault_windows=windows,
        title="Gauntlet chaos suite" + (" (interrupted)" if interrupted else ""),
        observations=[path] if path.exists() else [],
        interrupted=interrupted,
        run_facts={
            "interrupted_requests": abandoned,  # abandoned in flight, not recorded as failed
            "timeline": _phase_durations(results),
        },
        check_spans={r.scenario.name: (r.started, r.ended) for r in results if r.started},
        judged_by=judged_by,
    )
    print_summary(results, evaluation, checks, console, verbose=verbose, judged_by=judged_by)
    console.print(f"reports: {options.out_dir}", soft_wrap=True, highlight=False)
    return verdict_exit_code(evaluation, checks)


def _evaluated(
    path: Path, slo: SloSpec, baseline: BaselineReport | None, console: Console
) -> Evaluation:
    """The run's observations judged, and compared with the baseline when they cover its
    workload (checked before the run; a scenario that recorded nothing is said, not fatal)."""
    if not path.exists():
        return evaluate(iter(()), slo)
    try:
        return evaluate_files(path, slo, baseline=baseline)
    except DifferentWorkload as exc:
        console.print(f"not compared with the baseline: {exc}", soft_wrap=True, markup=False)
        return evaluate_files(path, slo)


def _phase_durations(results: Sequence[ScenarioResult]) -> dict[str, list[list[object]]]:
    """Per scenario, each step in order (heal, steady state, inject, each phase's stretch,
    roll back, ...) and the seconds it took: where the wall time went."""
    return {r.scenario.name: [[step, round(s, 2)] for step, s in r.tally.steps] for r in results}
