"""`gauntlet load`'s engine: stack, service and Locust in their own processes; chaos from here.

    result = run_load(LoadRunOptions(profile=load_profile("spike"), out_dir=Path("reports/load")))
    result.exit_code  # the gate's code (scenarios/exit_codes.py)

The sync top opens the stack (Postgres behind Toxiproxy); a thin asyncio driver starts
the service and Locust as subprocesses, applies the chaos schedule on time, shows
progress, and stops everything within a hard deadline (SIGTERM, then SIGKILL). Then the
per-worker observation files are merged, labelled with the faults' actual windows,
evaluated against the SLO file, and the usual reports are written.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.live import Live

from chaos.schedule import FaultSpan, fault_spans
from chaos.seed import TENANTS
from chaos.world import World
from orchestrator.service import env_from_config, load_service_config
from slo import Check, evaluate, load_slo_file, print_report, verdict_exit_code, write_reports
from slo.results import Evaluation
from vocabulary import phase_at, write_observations

from .chaos_driver import ChaosLog, run_schedule
from .locust_args import LocustOptions, locust_args
from .observations import MergeResult, merge_observation_directory
from .processes import ChildProcess
from .profile import LoadProfile
from .progress import ProgressTracker
from .run_config import LocustRunConfig, ShapeStep, WeightedIntent, WeightedTenant
from .service_process import start_service
from .shape_replay import sample_tick
from .target_process import REFERENCE_COMMAND, running_target
from .world_service import open_load_stack

DEFAULT_SLO_FILES = (Path("slo/examples/load.yaml"), Path(__file__).with_name("slo") / "load.yaml")
STARTUP_TIMEOUT_S = 60.0  # Locust's import and spawn of its first users
SHUTDOWN_GRACE_S = 10.0


class LoadInputError(ValueError):
    """A user mistake in the options or profile; the message is one line."""


@dataclass
class LoadRunOptions:
    profile: LoadProfile
    out_dir: Path
    extra_chaos: list = field(
        default_factory=list
    )  # TimedFaults from --faults, added to the profile's
    slo_path: Path | None = None
    db: str = "embedded"
    processes: int = 1
    service_workers: int = 1
    web_ui: bool = False
    py_profile: bool = False
    # The system under test, started with the contract's environment (default: the
    # reference orchestrator; --service-workers/--py-profile run it under uvicorn instead).
    target_command: str | None = None
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


def default_slo_path() -> Path:
    return next(path for path in DEFAULT_SLO_FILES if path.exists())


def run_load(options: LoadRunOptions) -> LoadRunResult:
    profile = options.profile
    out_dir = options.out_dir
    spec = load_slo_file(
        options.slo_path or default_slo_path()
    )  # fail on a bad SLO before starting
    if options.target_command is not None and (options.service_workers > 1 or options.py_profile):
        raise LoadInputError(
            "--target-command starts your system as it is: "
            "--service-workers and --py-profile apply to the reference orchestrator only"
        )
    tenant_count = _tenants_needed(profile)
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir = out_dir / "work"
    workers_dir = out_dir / "workers"
    for stale in (*workers_dir.glob("*"),):
        stale.unlink()
    workers_dir.mkdir(parents=True, exist_ok=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    spans = fault_spans([*profile.chaos, *options.extra_chaos], profile.duration)
    chaos_log = ChaosLog()
    options.console.print(
        f"[bold]gauntlet load[/]: profile {profile.name}, {profile.duration:g}s, "
        f"{len(spans)} fault(s), starting Postgres and Toxiproxy ..."
    )
    with open_load_stack(options.db, tenants=tenant_count, work_dir=work_dir) as (world, config):
        locust_exit = asyncio.run(_drive(options, world, config, spans, chaos_log, workers_dir))

    windows = chaos_log.windows()
    merge = merge_observation_directory(workers_dir, windows)
    with (out_dir / "observations.jsonl").open("w", encoding="utf-8") as stream:
        write_observations(stream, merge.observations)
    locust_requests = _locust_request_count(out_dir / "locust_summary.json")
    checks = _integrity_checks(merge, chaos_log, locust_exit, locust_requests)
    evaluation = evaluate(merge.observations, spec)
    write_reports(
        out_dir,
        evaluation,
        checks=checks,
        fault_windows=windows,
        title=f"Gauntlet load: {profile.name}",
        observations=[out_dir / "observations.jsonl"],
    )
    _write_measurement_note(out_dir, profile, merge, chaos_log)
    print_report(evaluation, checks, console=options.console)
    return LoadRunResult(
        verdict_exit_code(evaluation, checks),
        evaluation,
        merge,
        checks,
        locust_exit,
        out_dir,
        locust_requests,
    )


def _tenants_needed(profile: LoadProfile) -> int:
    indexes = []
    for mix in profile.tenants:
        if mix.tenant not in TENANTS:
            raise LoadInputError(
                f"profile {profile.name!r}: tenants: unknown tenant {mix.tenant!r} "
                f"(seeded tenants: {', '.join(TENANTS)})"
            )
        indexes.append(TENANTS.index(mix.tenant))
    return max(indexes) + 1


def locust_run_config(
    profile: LoadProfile, stack: World, host: str, workers_dir: Path
) -> LocustRunConfig:
    """The profile, resolved for one Locust process tree (see `load/run_config.py`)."""
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
    )


async def _drive(
    options: LoadRunOptions,
    stack: World,
    config_path: Path,
    spans: list[FaultSpan],
    chaos_log: ChaosLog,
    workers_dir: Path,
) -> int:
    out_dir, profile = options.out_dir, options.profile
    service = AsyncExitStack()
    url = await _start_target(options, config_path, service)
    stack.service_url = url
    try:
        config = locust_run_config(profile, stack, url, workers_dir).write(
            out_dir / "work" / "locust.json"
        )
        locust_options = LocustOptions(
            processes=options.processes, web_ui=options.web_ui, csv_prefix=out_dir / "locust"
        )
        locust = await ChildProcess.start(
            "locust",
            [
                sys.executable,
                "-m",
                "load.locust_main",
                str(config),
                *locust_args(LocustRunConfig.read(config), locust_options),
            ],
            log_path=out_dir / "locust.log",
        )
        if options.web_ui:
            options.console.print(
                f"Locust web UI: http://127.0.0.1:{locust_options.web_port}  (Ctrl-C to stop)"
            )
        try:
            return await _supervise(options, stack, spans, chaos_log, locust, workers_dir)
        finally:
            # SIGINT lets Locust write its final CSV/JSON; the grace bounds it.
            await locust.stop(grace_s=SHUTDOWN_GRACE_S, first_signal=signal.SIGINT)
    finally:
        await service.aclose()


async def _start_target(options: LoadRunOptions, config_path: Path, stack: AsyncExitStack) -> str:
    """Start the system under test in its own process, stopped when `stack` closes;
    returns its base URL."""
    log_path = options.out_dir / "service.log"
    if options.target_command is None and (options.service_workers > 1 or options.py_profile):
        profile_html = options.out_dir / "service-profile.html" if options.py_profile else None
        service, url = await start_service(
            config_path,
            log_path=log_path,
            workers=options.service_workers,
            profile_html=profile_html,
        )
        stack.push_async_callback(service.stop, SHUTDOWN_GRACE_S)
        return url
    env = env_from_config(load_service_config(config_path))
    command = options.target_command or REFERENCE_COMMAND
    target = await stack.enter_async_context(running_target(command, env, log_path=log_path))
    return target.url


async def _supervise(
    options: LoadRunOptions,
    stack: World,
    spans: list[FaultSpan],
    chaos_log: ChaosLog,
    locust: ChildProcess,
    workers_dir: Path,
) -> int:
    profile = options.profile
    t0 = await _wait_for_start(locust, workers_dir / "started.json")
    # The UI keeps Locust up after the shape ends; headless, Locust stops itself.
    hard_deadline = None if options.web_ui else profile.duration + STARTUP_TIMEOUT_S
    tracker = ProgressTracker(workers_dir)
    async with asyncio.timeout(hard_deadline):
        async with asyncio.TaskGroup() as group:
            chaos = group.create_task(run_schedule(spans, stack, t0, chaos_log, profile.duration))
            with Live(console=options.console, refresh_per_second=4, transient=False) as live:
                while locust.returncode is None:
                    await asyncio.sleep(0.5)
                    tracker.poll()
                    elapsed = time.time() - t0
                    live.update(
                        tracker.line(
                            elapsed, phase_at(elapsed, [span.window for span in spans]).value
                        )
                    )
            chaos.cancel()  # Locust is done: roll back whatever is still applied
    return locust.returncode if locust.returncode is not None else -1


async def _wait_for_start(locust: ChildProcess, marker: Path) -> float:
    async with asyncio.timeout(STARTUP_TIMEOUT_S):
        while not marker.exists():
            if locust.returncode is not None:
                raise RuntimeError(
                    f"Locust exited with code {locust.returncode} before starting:\n"
                    f"{locust.log_tail()}"
                )
            await asyncio.sleep(0.1)
    return float(json.loads(marker.read_text())["started"])


def _locust_request_count(summary_json: Path) -> int | None:
    """Locust's own total from its final JSON summary (written at quit, after the CSV,
    so it also holds the requests that completed during the stop timeout)."""
    if not summary_json.exists():
        return None
    entries = json.loads(summary_json.read_text(encoding="utf-8"))
    return sum(int(entry["num_requests"]) for entry in entries)


def _integrity_checks(
    merge: MergeResult, chaos_log: ChaosLog, locust_exit: int, locust_requests: int | None
) -> list[Check]:
    merged = len(merge.observations)
    checks = [
        Check(
            "load",
            "no request counted twice",
            not merge.duplicate_request_ids,
            f"{len(merge.duplicate_request_ids)} duplicate request ids",
        ),
        Check(
            "load",
            "no request lost",
            merge.lost == 0,
            f"{merged} observations from {len(merge.per_worker)} worker(s); "
            f"Locust's request events: {sum(merge.requests_reported.values())}",
        ),
        Check("load", "Locust exited cleanly", locust_exit == 0, f"exit code {locust_exit}"),
    ]
    if locust_requests is not None:
        checks.append(
            Check(
                "load",
                "Locust's own count matches",
                locust_requests == merged,
                f"Locust JSON summary {locust_requests}, merged observations {merged}",
            )
        )
    for applied in chaos_log.applied:
        label = f"fault {applied.span.fault.kind} applied and rolled back on time"
        checks.append(
            Check(
                "chaos",
                label,
                applied.error is None and applied.ended is not None,
                applied.error or _timing(applied),
            )
        )
    return checks


def _timing(applied) -> str:
    if applied.started is None or applied.ended is None:
        return "not applied"
    return f"active {applied.ended - applied.started:.1f}s (planned from {applied.span.label})"


def _write_measurement_note(
    out_dir: Path, profile: LoadProfile, merge: MergeResult, chaos_log: ChaosLog
) -> None:
    arrival = profile.shape.kind == "constant_arrival"
    how = (
        "constant arrival rate: each request has a scheduled send time; latency_ms is measured "
        "from that scheduled time to the answer, so a send delayed by a slow service counts its "
        "wait (coordinated-omission-free); extra.service_ms is the time from the actual send"
        if arrival
        else "closed model: latency_ms is from the actual send to the full answer, "
        "as Locust measures it"
    )
    note = {
        "profile": profile.name,
        "latency_measurement": how,
        "observations_per_worker": merge.per_worker,
        "locust_request_events_per_worker": merge.requests_reported,
        "faults": [
            {
                "kind": a.span.fault.kind,
                "planned": a.span.label,
                "started": a.started,
                "ended": a.ended,
                "error": a.error,
            }
            for a in chaos_log.applied
        ],
    }
    (out_dir / "load.json").write_text(json.dumps(note, indent=2), encoding="utf-8")
