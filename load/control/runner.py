"""`gauntlet load`'s engine: stack, service and Locust in their own processes; chaos from here.

    result = run_load(LoadRunOptions(profile=load_profile("spike"), out_dir=Path("reports/load")))
    result.exit_code  # the gate's code (scenarios/exit_codes.py); result.interrupted on Ctrl-C

The sync top opens the stack (Postgres behind Toxiproxy) and hands the moving parts to
`load.control.drive` (service, collector, Locust master or local runner, workers, chaos, live
line). Then, however the run ended (shape done, stop condition, Ctrl-C), the per-worker
observation files are merged, labelled with the faults' actual windows, evaluated against
the SLO file, and the usual reports are written.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from chaos.schedule import FaultSpan, fault_spans
from chaos.stop_watch import StopWatch
from load.inputs.profile import LoadProfile
from load.inputs.run_config import LocustRunConfig
from load.transport.collector import ObservationCollector
from load.transport.observations import MergeResult, merge_observation_directory
from slo import (
    Check,
    JudgedBy,
    SloSpec,
    evaluate,
    evaluate_files,
    print_load_summary,
    verdict_exit_code,
    write_reports,
)
from slo.request_figures import request_figures
from slo.results import Evaluation
from target.backends import WorldBackends
from target.choice import ReferenceTuning, TargetChoice
from target.world_settings import open_load_stack
from vocabulary.segment_writer import segment_files

from .chaos_driver import ChaosLog
from .drive import Drive, DriveOutcome
from .locust_config import locust_run_config
from .run_checks import integrity_checks, write_measurement_note
from .run_inputs import checked_inputs
from .topology import Topology

if TYPE_CHECKING:
    from contract import Promises

OBSERVATIONS = "observations"  # the merged run's segments; `gauntlet export` makes JSON lines


@dataclass
class LoadRunOptions:
    profile: LoadProfile
    out_dir: Path
    extra_chaos: list = field(
        default_factory=list
    )  # TimedFaults from --faults, added to the profile's
    slo_path: Path | None = None
    world: WorldBackends = field(default_factory=WorldBackends)  # load uses its db only
    processes: int = 1
    expect_workers: int | None = None  # workers joining from anywhere (`gauntlet worker`)
    master_port: int | None = None
    service_workers: int = 1
    web_ui: bool = False
    py_profile: bool = False
    # The system under test, started with the contract's environment (default: the
    # reference orchestrator; --service-workers/--py-profile run it under uvicorn instead).
    target: TargetChoice = TargetChoice()
    # the system's declared promises, and which file they come from (reported)
    promises: Promises | None = None
    promises_source: str | None = None
    # The system's declared upstreams (name -> host:port), from the promises in effect
    # (`contract.Promises.upstreams`): each gets a proxy its chaos may target by name.
    declared_upstreams: dict[str, str] = field(default_factory=dict)
    console: Console = field(default_factory=lambda: Console(stderr=True))


@dataclass
class LoadRunResult:
    exit_code: int
    evaluation: Evaluation
    merge: MergeResult
    checks: list[Check]
    locust_exit: int
    out_dir: Path
    locust_requests: int | None  # Locust's own count (its JSON summary), when it wrote one
    interrupted: bool = False  # Ctrl-C: the reports hold what was observed until then
    outcome: DriveOutcome = field(default_factory=DriveOutcome)


def run_load(options: LoadRunOptions) -> LoadRunResult:
    """Check the inputs, drive the run, and report on whatever it observed."""
    # Locust and its workers run in a working folder of their own: a relative --out would
    # name another folder there
    options = replace(options, out_dir=options.out_dir.resolve())
    topology, spec, tenants = checked_inputs(options)
    workers_dir = _fresh_folders(options.out_dir)
    spans = fault_spans([*options.profile.chaos, *options.extra_chaos], options.profile.duration)
    chaos_log, outcome = ChaosLog(), DriveOutcome()
    collector = ObservationCollector(workers_dir, worker_config={})
    drive = _drive_for(options, topology, spans, chaos_log, collector, outcome)
    options.console.print(
        f"[bold]gauntlet load[/]: profile {options.profile.name}, "
        f"{options.profile.duration:g}s, {len(spans)} fault(s); starting Postgres and Toxiproxy"
    )
    interrupted = _drive_to_the_end(options, drive, tenants)
    collector.write_counts()
    merge = merge_observation_directory(
        workers_dir, chaos_log.windows(), into=options.out_dir / OBSERVATIONS
    )
    return _reported(options, spec, merge, chaos_log, outcome, topology, interrupted)


def _fresh_folders(out_dir: Path) -> Path:
    """The run's folders, with no worker file left from an earlier run; returns the
    workers' folder."""
    workers_dir = out_dir / "workers"
    workers_dir.mkdir(parents=True, exist_ok=True)
    for stale in workers_dir.glob("*"):
        stale.unlink()
    (out_dir / "work").mkdir(parents=True, exist_ok=True)
    return workers_dir


def _drive_to_the_end(options: LoadRunOptions, drive: Drive, tenants: int) -> bool:
    """The stack up and the drive run to its end; True when Ctrl-C (or SIGTERM) ended it."""
    profile, workers_dir = options.profile, options.out_dir / "workers"
    work_dir = options.out_dir / "work"
    try:
        with open_load_stack(
            options.world.db,
            tenants=tenants,
            work_dir=work_dir,
            upstreams=options.declared_upstreams,
        ) as stack:
            world, contract_env = stack

            def config_for(url: str, collector_url: str) -> LocustRunConfig:
                return locust_run_config(profile, world, url, workers_dir, collector_url)

            with _sigterm_as_ctrl_c():
                asyncio.run(drive.run(world, contract_env, config_for))
    except KeyboardInterrupt:
        # Faults are rolled back and processes stopped by now; report what was observed.
        options.console.print("interrupted: writing the report of what was observed")
        return True
    return False


def _reported(
    options: LoadRunOptions,
    spec: SloSpec,
    merge: MergeResult,
    chaos_log: ChaosLog,
    outcome: DriveOutcome,
    topology: Topology,
    interrupted: bool,
) -> LoadRunResult:
    """The merged observations (saved) judged, and every report written and summed up."""
    out_dir = options.out_dir
    locust_requests = _locust_request_count(out_dir / "locust_summary.json")
    checks = integrity_checks(
        merge, chaos_log, outcome, locust_requests, topology=topology, interrupted=interrupted
    )
    recorded = segment_files(out_dir / OBSERVATIONS)
    # a run that recorded nothing (stopped while it waited for workers) is judged as empty
    evaluation = evaluate_files(recorded, spec) if recorded else evaluate(iter(()), spec)
    write_reports(
        out_dir,
        evaluation,
        checks=checks,
        fault_windows=chaos_log.windows(),
        title=f"Gauntlet load: {options.profile.name}",
        observations=recorded,
        # Ctrl-C, or a stop condition: either way the run ended before its shape did.
        interrupted=interrupted or outcome.tripped is not None,
        judged_by=JudgedBy(options.promises_source) if options.promises_source else None,
    )
    write_measurement_note(out_dir, options.profile, merge, chaos_log, outcome, interrupted)
    print_load_summary(request_figures(recorded), evaluation, checks, options.console)
    return LoadRunResult(
        verdict_exit_code(evaluation, checks),
        evaluation,
        merge,
        checks,
        outcome.locust_exit,
        out_dir,
        locust_requests,
        interrupted,
        outcome,
    )


@contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, `docker stop`) ends a run the way Ctrl-C does: faults
    rolled back, every worker's last batch delivered, the report written.

    A run started in the background inherits an ignored SIGINT (shells do that to `&`
    jobs), which would make SIGTERM do nothing too: for the run, Ctrl-C is Ctrl-C again.
    """
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    previous = signal.signal(signal.SIGTERM, lambda *_: signal.raise_signal(signal.SIGINT))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def _drive_for(
    options: LoadRunOptions,
    topology: Topology,
    spans: list[FaultSpan],
    chaos_log: ChaosLog,
    collector: ObservationCollector,
    outcome: DriveOutcome,
) -> Drive:
    drive = Drive(
        topology=topology,
        console=options.console,
        out_dir=options.out_dir,
        workers_dir=options.out_dir / "workers",
        run_s=options.profile.duration,
        spans=spans,
        chaos_log=chaos_log,
        collector=collector,
        stop_watch=StopWatch(options.profile.stop_conditions),
        outcome=outcome,
        target=options.target,
        reference=ReferenceTuning(
            workers=options.service_workers,
            profile_html=options.out_dir / "service-profile.html" if options.py_profile else None,
        ),
        web_ui=options.web_ui,
    )
    collector.on_batch = drive.on_batch
    return drive


def _locust_request_count(summary_json: Path) -> int | None:
    """Locust's own total from its final JSON summary (written at quit, after the CSV,
    so it also holds the requests that completed during the stop timeout)."""
    if not summary_json.exists():
        return None
    entries = json.loads(summary_json.read_text(encoding="utf-8"))
    return sum(int(entry["num_requests"]) for entry in entries)
