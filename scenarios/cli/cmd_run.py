"""`gauntlet run`: the built-in chaos suite (or your scenario files) against the orchestrator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scenarios import exit_codes

from .choices import check_db, check_toxiproxy
from .report_folder import DEFAULT_HELP, report_folder, summary_json


def run(
    suite: Annotated[
        str, typer.Option(help="built-in suite name, or a folder of scenario files")
    ] = "core",
    scenario: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenario",
            metavar="FILE",
            help="scenario file to run instead of the suite (repeatable)",
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="NAME",
            help="run only the suite's scenarios with these names (repeatable)",
        ),
    ] = None,
    db: Annotated[
        str,
        typer.Option(
            metavar="BACKEND", callback=check_db, help="embedded | docker | postgresql://... URL"
        ),
    ] = "embedded",
    toxiproxy: Annotated[
        str,
        typer.Option(
            metavar="BACKEND",
            callback=check_toxiproxy,
            help="auto | local | docker | http://host:port (a shared server is left as found)",
        ),
    ] = "auto",
    postgres_image: Annotated[
        str | None,
        typer.Option(
            metavar="IMAGE",
            envvar="GAUNTLET_POSTGRES_IMAGE",
            help="image for --db docker (default: gauntlet/postgres:15 if built, else postgres:16)",
        ),
    ] = None,
    toxiproxy_image: Annotated[
        str | None,
        typer.Option(
            metavar="IMAGE",
            envvar="GAUNTLET_TOXIPROXY_IMAGE",
            help="image for --toxiproxy docker (default: gauntlet/toxiproxy:2.12.0 if built, "
            "else ghcr.io/shopify/toxiproxy:2.12.0)",
        ),
    ] = None,
    slo: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            show_default=False,
            help="SLO file the whole run is gated on [default: the core suite's SLO]",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(metavar="DIR", show_default=False, help=DEFAULT_HELP)
    ] = None,
    seed: Annotated[
        int, typer.Option(metavar="N", help="seed of the request mix (same seed, same requests)")
    ] = 7,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="every objective and check on the terminal")
    ] = False,
    json_summary: Annotated[
        bool,
        typer.Option("--json", help="print a machine-readable summary on stdout (text to stderr)"),
    ] = False,
) -> None:
    """Break the orchestrator's world on purpose, check what must hold, and leave a report.

    Exit codes: 0 every expectation and objective held, 1 one failed, 2 bad input,
    3 Postgres or Toxiproxy could not start, 130 interrupted (faults rolled back).
    """
    # Imported here so `gauntlet --help` stays fast.
    from rich.console import Console

    from chaos.containers import choose_images
    from chaos.postgres import OperationNotSupported, PostgresUnavailable
    from chaos.toxiproxy import ToxiproxyError
    from scenarios.runner.suite_run import RunOptions, run_suite
    from scenarios.spec.loader import load_scenario, load_suite
    from slo import SloFileError, load_slo_file
    from vocabulary import YamlInputError, unknown_name

    console = Console(stderr=json_summary, highlight=False)
    try:
        scenarios = [load_scenario(p) for p in scenario] if scenario else load_suite(suite)
        if only:
            names = [s.name for s in scenarios]
            for name in only:
                if name not in names:
                    raise typer.BadParameter(
                        unknown_name("scenario", name, names), param_hint="'--only'"
                    )
            scenarios = [s for s in scenarios if s.name in only]
        spec = load_slo_file(slo or default_slo())
    except (YamlInputError, SloFileError) as exc:
        typer.echo(f"gauntlet run: {exc}", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    choose_images(postgres_image, toxiproxy_image)
    out_dir = report_folder(out)
    count = f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}"
    console.print(f"running {count}; reports in {out_dir}", soft_wrap=True, highlight=False)
    options = RunOptions(out_dir, db, toxiproxy, seed)
    try:
        code = run_suite(scenarios, spec, options, console, verbose=verbose)
    except (PostgresUnavailable, OperationNotSupported, ToxiproxyError) as exc:
        typer.echo(f"gauntlet run: infrastructure could not start: {exc}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    if json_summary:
        typer.echo(summary_json("run", out_dir, code))
    raise typer.Exit(code)


def default_slo() -> Path:
    """The SLO the built-in core suite is gated on."""
    return Path(__file__).resolve().parents[2] / "slo" / "examples" / "chaos-core.yaml"
