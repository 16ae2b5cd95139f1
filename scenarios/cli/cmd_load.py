"""`gauntlet load`: drive the orchestrator service with Locust, optionally under chaos."""

from __future__ import annotations

from pathlib import Path

import typer

from scenarios import exit_codes

from .choices import check_db
from .report_folder import DEFAULT_HELP, report_folder, reports_line, summary_json


def load(
    profile: str = typer.Option(
        ..., "--profile", help="Load profile: a YAML file or ramp|step|spike|soak."
    ),
    duration: str | None = typer.Option(
        None, "--duration", help="Override the run's duration, e.g. 60s."
    ),
    users: int | None = typer.Option(
        None, "--users", min=1, help="Override the shape's peak users."
    ),
    processes: int = typer.Option(
        1, "--processes", min=1, help="Locust processes (>1: master + N workers)."
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
    json_summary: bool = typer.Option(
        False, "--json", help="print a machine-readable summary on stdout (text to stderr)"
    ),
) -> None:
    # Imported here so `gauntlet --help` stays fast.
    from chaos.duration import parse_duration
    from chaos.postgres import PostgresUnavailable
    from chaos.toxiproxy import ToxiproxyError
    from load.profile import load_profile
    from load.runner import LoadInputError, LoadRunOptions, run_load
    from load.service_process import ServiceStartError
    from slo import SloFileError
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
            service_workers=service_workers,
            web_ui=ui,
            py_profile=py_profile,
        )
        result = run_load(options)
    except (YamlInputError, SloFileError, LoadInputError, ValueError) as exc:
        typer.echo(f"gauntlet load: {_one_line(exc)}", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    except (
        PostgresUnavailable,
        ToxiproxyError,
        ServiceStartError,
        RuntimeError,
        TimeoutError,
    ) as exc:
        typer.echo(f"gauntlet load: infrastructure: {_one_line(exc)}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    except KeyboardInterrupt:
        typer.echo("gauntlet load: interrupted; faults rolled back, processes stopped", err=True)
        raise typer.Exit(exit_codes.INTERRUPTED) from None
    typer.echo(reports_line(result.out_dir), err=json_summary)
    if py_profile:
        typer.echo(f"service profile: {result.out_dir}/service-profile.html", err=json_summary)
    if json_summary:
        typer.echo(summary_json("load", result.out_dir, result.exit_code))
    raise typer.Exit(result.exit_code)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if "\n" not in text else first + "  (more in the run's logs)"
