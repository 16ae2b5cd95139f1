"""`gauntlet load`: drive the orchestrator service with Locust, optionally under chaos."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scenarios import exit_codes
from target.backends import WorldBackends
from target.choice import TargetChoice

from . import completion
from .options import Db, LoadJson, Out, PromisesFile, TargetCommand, TargetImage
from .report_folder import ReportOutput, reports_line

if TYPE_CHECKING:
    from chaos.schedule import TimedFault
    from load.inputs.profile import LoadProfile

# The options only `load` has; the shared ones come from `.options`.
Profile = Annotated[
    str,
    typer.Option(
        "--profile",
        metavar="FILE|NAME",
        help="load profile: a YAML file or ramp|step|spike|soak",
        autocompletion=completion.profile_names,
    ),
]
Duration = Annotated[
    str | None,
    typer.Option("--duration", metavar="DURATION", help="override the run's duration, e.g. 60s"),
]
Users = Annotated[
    int | None, typer.Option("--users", metavar="N", min=1, help="override the shape's peak users")
]
Processes = Annotated[
    int,
    typer.Option(
        "--processes", metavar="N", min=1, help="local Locust workers (>1: a master and N workers)"
    ),
]
ExpectWorkers = Annotated[
    int | None,
    typer.Option(
        "--expect-workers",
        metavar="N",
        min=1,
        help="run the master and wait for N workers: `gauntlet worker --master HOST:PORT`",
    ),
]
MasterPort = Annotated[
    int | None,
    typer.Option(
        "--master-port",
        metavar="PORT",
        help="with --expect-workers: workers join at this port (uses it and the next two; "
        "default 5557)",
    ),
]
ServiceWorkers = Annotated[
    int,
    typer.Option(
        "--service-workers",
        metavar="N",
        min=1,
        help="uvicorn worker processes (the reference orchestrator only)",
    ),
]
Faults = Annotated[
    Path | None, typer.Option("--faults", metavar="FILE", help="extra chaos schedule (YAML)")
]
Slo = Annotated[
    Path | None,
    typer.Option(
        "--slo",
        metavar="FILE",
        help="SLO file the run is gated on (default slo/examples/load.yaml)",
    ),
]
WebUi = Annotated[
    bool, typer.Option("--ui", help="run Locust's web UI (interactive; prints its URL)")
]
PyProfile = Annotated[
    bool,
    typer.Option(
        "--py-profile",
        help="run the reference orchestrator under pyinstrument; saves service-profile.html",
    ),
]


def load(
    profile: Profile,
    duration: Duration = None,
    users: Users = None,
    processes: Processes = 1,
    expect_workers: ExpectWorkers = None,
    master_port: MasterPort = None,
    service_workers: ServiceWorkers = 1,
    faults: Faults = None,
    slo: Slo = None,
    out: Out = None,
    db: Db = WorldBackends.db,
    ui: WebUi = False,
    py_profile: PyProfile = False,
    target_command: TargetCommand = None,
    target_image: TargetImage = None,
    promises: PromisesFile = None,
    json_summary: LoadJson = False,
) -> None:
    # Imported here so `gauntlet --help` stays fast.
    from load.control.runner import LoadRunOptions, run_load
    from scenarios.spec.promises_file import promises_in_effect, promises_source

    output = ReportOutput("load", out, json_summary)
    with _answered_errors(output):
        target = TargetChoice.from_flags(target_command, target_image)
        declared = promises_in_effect(promises, reference=target.is_reference)
        options = LoadRunOptions(
            profile=chosen_profile(profile, duration, users),
            out_dir=output.folder,
            extra_chaos=extra_faults(faults, declared.upstreams),
            slo_path=existing_slo(slo),
            world=WorldBackends(db=db),
            processes=processes,
            expect_workers=expect_workers,
            master_port=master_port,
            service_workers=service_workers,
            web_ui=ui,
            py_profile=py_profile,
            target=target,
            promises=declared,
            promises_source=promises_source(promises, reference=target.is_reference),
            declared_upstreams=dict(declared.upstreams),
        )
        result = run_load(options)
    typer.echo(f"promises: {options.promises_source}", err=json_summary)
    typer.echo(reports_line(result.out_dir), err=json_summary)
    if py_profile:
        typer.echo(f"service profile: {result.out_dir}/service-profile.html", err=json_summary)
    output.finish(exit_codes.INTERRUPTED if result.interrupted else result.exit_code)


@contextmanager
def _answered_errors(output: ReportOutput) -> Iterator[None]:
    """Bad input exits 2, what could not start 3, and a Ctrl-C the run did not catch 130."""
    from chaos.postgres import PostgresUnavailable
    from chaos.toxiproxy import ToxiproxyError
    from load.control.run_inputs import LoadInputError
    from slo import SloFileError
    from target.uvicorn_service import ServiceStartError
    from vocabulary import YamlInputError

    try:
        yield
    except (YamlInputError, SloFileError, LoadInputError, ValueError) as exc:
        output.refuse(_one_line(exc))
    except (
        PostgresUnavailable,
        ToxiproxyError,
        ServiceStartError,
        RuntimeError,
        TimeoutError,
        OSError,
    ) as exc:
        output.cannot_start(f"infrastructure: {_one_line(exc)}")
    except KeyboardInterrupt:
        typer.echo("gauntlet load: interrupted; faults rolled back, processes stopped", err=True)
        raise typer.Exit(exit_codes.INTERRUPTED) from None


def chosen_profile(profile: str, duration: str | None, users: int | None) -> LoadProfile:
    """`--profile`, with `--duration` and `--users` over what it says."""
    from chaos.duration import parse_duration
    from load.inputs.profile import load_profile

    duration_s = parse_duration(duration) if duration is not None else None
    return load_profile(profile).with_overrides(duration_s=duration_s, users=users)


def extra_faults(faults: Path | None, declared: Mapping[str, str]) -> list[TimedFault]:
    """The chaos schedule of `--faults`, added to the profile's; a fault naming an upstream
    neither built in nor `declared` is refused with the file's line."""
    from scenarios.spec.upstream_names import known_upstreams, refuse_unknown_upstreams
    from vocabulary import load_yaml_model

    from .faults_file import FaultsFile

    if faults is None:
        return []
    chosen = load_yaml_model(faults, FaultsFile, what="faults file").faults
    refuse_unknown_upstreams(faults, chosen, known_upstreams(declared))
    return chosen


def existing_slo(slo: Path | None) -> Path | None:
    from load.control.run_inputs import LoadInputError

    if slo is not None and not slo.exists():
        raise LoadInputError(f"{slo}: SLO file not found")
    return slo


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if "\n" not in text else first + "  (more in the run's logs)"
