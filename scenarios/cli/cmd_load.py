"""`gauntlet load`: drive the orchestrator service with Locust, optionally under chaos."""

from __future__ import annotations

from pathlib import Path

import typer

from scenarios import exit_codes

from . import completion
from .choices import check_db
from .report_folder import (
    DEFAULT_HELP,
    error_json,
    report_folder,
    reports_line,
    say_interrupted,
    summary_json,
)


def load(
    profile: str = typer.Option(
        ...,
        "--profile",
        help="Load profile: a YAML file or ramp|step|spike|soak.",
        autocompletion=completion.profile_names,
    ),
    duration: str | None = typer.Option(
        None, "--duration", help="Override the run's duration, e.g. 60s."
    ),
    users: int | None = typer.Option(
        None, "--users", min=1, help="Override the shape's peak users."
    ),
    processes: int = typer.Option(
        1, "--processes", min=1, help="Local Locust workers (>1: a master and N workers)."
    ),
    expect_workers: int | None = typer.Option(
        None,
        "--expect-workers",
        min=1,
        help="Run the master and wait for N workers: `gauntlet worker --master HOST:PORT`.",
    ),
    master_port: int | None = typer.Option(
        None,
        "--master-port",
        help="With --expect-workers: workers join at this port (uses it and the next two; "
        "default 5557).",
    ),
    service_workers: int = typer.Option(
        1, "--service-workers", min=1, help="uvicorn worker processes."
    ),
    faults: Path | None = typer.Option(None, "--faults", help="Extra chaos schedule (YAML)."),
    slo: Path | None = typer.Option(
        None, "--slo", help="SLO file (default slo/examples/load.yaml)."
    ),
    out: Path | None = typer.Option(
        None, "--out", metavar="DIR", show_default=False, help=DEFAULT_HELP
    ),
    db: str = typer.Option(
        "embedded",
        "--db",
        callback=check_db,
        help="Postgres: embedded | docker | postgresql://URL.",
    ),
    ui: bool = typer.Option(
        False, "--ui", help="Run Locust's web UI (interactive; prints its URL)."
    ),
    py_profile: bool = typer.Option(
        False,
        "--py-profile",
        help="Run the service under pyinstrument; saves service-profile.html.",
    ),
    target_command: str | None = typer.Option(
        None,
        "--target-command",
        help="System under test: a command serving the contract on $PORT "
        "[default: the reference orchestrator].",
    ),
    target_image: str | None = typer.Option(
        None,
        "--target-image",
        metavar="IMAGE",
        help="System under test: an image serving the contract on $PORT, run on the "
        "host's network (needs Docker).",
    ),
    json_summary: bool = typer.Option(
        False,
        "--json",
        envvar="GAUNTLET_LOAD_JSON",
        help="print a machine-readable summary on stdout (text to stderr)",
    ),
) -> None:
    # Imported here so `gauntlet --help` stays fast.
    from chaos.duration import parse_duration
    from chaos.postgres import PostgresUnavailable
    from chaos.toxiproxy import ToxiproxyError
    from load.control.runner import LoadInputError, LoadRunOptions, run_load
    from load.inputs.profile import load_profile
    from slo import SloFileError
    from target.uvicorn_service import ServiceStartError
    from vocabulary import YamlInputError, load_yaml_model

    from .faults_file import FaultsFile

    try:
        chosen = load_profile(profile)
        duration_s = parse_duration(duration) if duration is not None else None
        chosen = chosen.with_overrides(duration_s=duration_s, users=users)
        extra = load_yaml_model(faults, FaultsFile, what="faults file").faults if faults else []
        if slo is not None and not slo.exists():
            raise LoadInputError(f"{slo}: SLO file not found")
        options = LoadRunOptions(
            profile=chosen,
            out_dir=report_folder(out),
            extra_chaos=extra,
            slo_path=slo,
            db=db,
            processes=processes,
            expect_workers=expect_workers,
            master_port=master_port,
            service_workers=service_workers,
            web_ui=ui,
            py_profile=py_profile,
            target_command=target_command,
            target_image=target_image,
        )
        result = run_load(options)
    except (YamlInputError, SloFileError, LoadInputError, ValueError) as exc:
        typer.echo(f"gauntlet load: {_one_line(exc)}", err=True)
        if json_summary:
            typer.echo(error_json("load", _one_line(exc), exit_codes.BAD_INPUT))
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    except (
        PostgresUnavailable,
        ToxiproxyError,
        ServiceStartError,
        RuntimeError,
        TimeoutError,
        OSError,
    ) as exc:
        typer.echo(f"gauntlet load: infrastructure: {_one_line(exc)}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    except KeyboardInterrupt:
        typer.echo("gauntlet load: interrupted; faults rolled back, processes stopped", err=True)
        raise typer.Exit(exit_codes.INTERRUPTED) from None
    typer.echo(reports_line(result.out_dir), err=json_summary)
    if py_profile:
        typer.echo(f"service profile: {result.out_dir}/service-profile.html", err=json_summary)
    code = exit_codes.INTERRUPTED if result.interrupted else result.exit_code
    if json_summary:
        typer.echo(summary_json("load", result.out_dir, code))
    if result.interrupted:  # the last line says so, after the summary and folder
        say_interrupted("load", result.out_dir)
    raise typer.Exit(code)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if "\n" not in text else first + "  (more in the run's logs)"
