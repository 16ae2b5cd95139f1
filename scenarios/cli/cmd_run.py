"""`gauntlet run`: the built-in chaos suite (or your scenario files) against the orchestrator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scenarios import exit_codes

from . import completion
from .choices import check_db, check_toxiproxy
from .remote_options import remote_options
from .report_folder import DEFAULT_HELP, error_json, report_folder, say_interrupted, summary_json


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
            autocompletion=completion.scenario_names,
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
        list[Path] | None,
        typer.Option(
            metavar="PATH",
            show_default=False,
            help="SLO file or folder the run is gated on (repeatable; OpenSLO files merge) "
            "[default: the core suite's SLO]",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(metavar="DIR", show_default=False, help=DEFAULT_HELP)
    ] = None,
    seed: Annotated[
        int, typer.Option(metavar="N", help="seed of the request mix (same seed, same requests)")
    ] = 7,
    target_command: Annotated[
        str | None,
        typer.Option(
            "--target-command",
            help="system under test: a command that serves the contract on $PORT "
            "[default: the reference orchestrator, python -m orchestrator.service]",
        ),
    ] = None,
    target_image: Annotated[
        str | None,
        typer.Option(
            "--target-image",
            metavar="IMAGE",
            help="system under test: an image that serves the contract on $PORT, run on "
            "the host's network (needs Docker)",
        ),
    ] = None,
    target_url: Annotated[
        str | None,
        typer.Option(
            "--target-url",
            help="system under test that is already running (declare its upstreams with "
            "--upstream, its API keys in GAUNTLET_API_KEYS); only network faults and "
            "tenant attacks apply",
        ),
    ] = None,
    upstream: Annotated[
        list[str] | None,
        typer.Option(
            "--upstream",
            metavar="NAME=HOST:PORT[@LISTEN_PORT]",
            help="with --target-url: an upstream (ops, metrics) to put a proxy in front of "
            "(repeatable)",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="every objective and check on the terminal")
    ] = False,
    json_summary: Annotated[
        bool,
        typer.Option(
            "--json",
            envvar="GAUNTLET_RUN_JSON",
            help="print a machine-readable summary on stdout (text to stderr)",
        ),
    ] = False,
) -> None:
    """Break the orchestrator's world on purpose, check what must hold, and leave a report.

    Exit codes: 0 every expectation and objective held, 1 one failed, 2 bad input,
    3 Postgres, Toxiproxy or the system under test could not start (or the system
    bypasses Gauntlet's proxies), 130 interrupted (faults rolled back).
    """
    # Imported here so `gauntlet --help` stays fast.
    from rich.console import Console

    from chaos.containers import choose_images
    from chaos.postgres import OperationNotSupported, PostgresUnavailable
    from chaos.toxiproxy import ToxiproxyError
    from scenarios.runner.proxy_check import ProxyBypassed
    from scenarios.runner.suite_run import RunOptions, run_suite
    from scenarios.spec.loader import load_scenario, load_suite
    from slo import SloFileError, load_slo_files
    from target.choice import TargetChoice
    from target.command import TargetCommandError, TargetStartError
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
        spec = load_slo_files(slo) if slo else load_slo_files([default_slo()], chosen=DEFAULT)
        target = TargetChoice(target_command, target_image, target_url)
        remote = remote_options(target_url, upstream or [], target_command, scenarios)
    except (YamlInputError, SloFileError, TargetCommandError, ValueError) as exc:
        typer.echo(f"gauntlet run: {exc}", err=True)
        if json_summary:
            typer.echo(error_json("run", str(exc), exit_codes.BAD_INPUT))
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    for part in spec.not_evaluated:
        console.print(f"not evaluated: {part}")
    choose_images(postgres_image, toxiproxy_image)
    out_dir = report_folder(out)
    count = f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}"
    system = target.describe()
    # wrapped to the terminal's width: a target command can be long
    console.print(f"running {count} against {system}; reports in {out_dir}", highlight=False)
    options = RunOptions(
        out_dir, db, toxiproxy, seed, target_command, target_image=target_image, **remote
    )
    try:
        code = run_suite(scenarios, spec, options, console, verbose=verbose)
    except TargetStartError as exc:
        typer.echo(f"gauntlet run: the system under test could not start: {exc}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    except ProxyBypassed as exc:
        typer.echo(f"gauntlet run: the system under test bypasses Gauntlet: {exc}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    except (PostgresUnavailable, OperationNotSupported, ToxiproxyError) as exc:
        typer.echo(f"gauntlet run: infrastructure could not start: {exc}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    if json_summary:
        typer.echo(summary_json("run", out_dir, code))
    if code == exit_codes.INTERRUPTED:  # the last line says so, after the summary and folder
        say_interrupted("run", out_dir)
    raise typer.Exit(code)


DEFAULT = "the core suite's default: no --slo given"


def default_slo() -> Path:
    """The SLO the built-in core suite is gated on."""
    return Path(__file__).resolve().parents[2] / "slo" / "examples" / "chaos-core.yaml"
