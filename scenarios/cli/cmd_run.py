"""`gauntlet run`: the built-in chaos suite (or your scenario files) against a system under test.

The system under test is a command started in its own process with the contract's
environment: the reference orchestrator unless `--target-command` names another.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chaos.containers import choose_images
from chaos.postgres import OperationNotSupported, PostgresUnavailable
from chaos.remote_world import applies_remotely, parse_upstream
from chaos.toxiproxy import ToxiproxyError
from load.target_process import (
    REFERENCE_COMMAND,
    TargetCommandError,
    TargetStartError,
    parse_command,
)
from scenarios import exit_codes
from scenarios.runner.proxy_check import ProxyBypassed
from scenarios.runner.suite_run import RunOptions, run_suite
from scenarios.spec.loader import load_scenario, load_suite
from slo import SloFileError, load_slo_files
from vocabulary import YamlInputError

DEFAULT_SLO = Path(__file__).resolve().parents[2] / "slo" / "examples" / "chaos-core.yaml"


def run(
    suite: Annotated[
        str, typer.Option(help="built-in suite name, or a folder of scenario files")
    ] = "core",
    scenario: Annotated[
        list[Path] | None,
        typer.Option("--scenario", help="scenario file to run instead of the suite (repeatable)"),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="run only the suite's scenarios with these names (repeatable)"),
    ] = None,
    db: Annotated[str, typer.Option(help="embedded | docker | postgresql://... URL")] = "embedded",
    toxiproxy: Annotated[
        str, typer.Option(help="auto | local | docker | http://host:port")
    ] = "auto",
    postgres_image: Annotated[
        str | None,
        typer.Option(
            envvar="GAUNTLET_POSTGRES_IMAGE",
            help="image for --db docker (default: gauntlet/postgres:15 if built, else postgres:16)",
        ),
    ] = None,
    toxiproxy_image: Annotated[
        str | None,
        typer.Option(
            envvar="GAUNTLET_TOXIPROXY_IMAGE",
            help="image for --toxiproxy docker (default: gauntlet/toxiproxy:2.12.0 if built, "
            "else ghcr.io/shopify/toxiproxy:2.12.0)",
        ),
    ] = None,
    slo: Annotated[
        list[Path],
        typer.Option(help="SLO file or folder the run is gated on (repeatable)", metavar="PATH"),
    ] = [DEFAULT_SLO],  # noqa: B006 (typer reads the default; nothing mutates it)
    out: Annotated[
        Path | None, typer.Option(help="report folder [default: reports/<timestamp>]")
    ] = None,
    seed: Annotated[
        int, typer.Option(help="seed of the request mix (same seed, same requests)")
    ] = 7,
    target_command: Annotated[
        str | None,
        typer.Option(
            "--target-command",
            help="system under test: a command that serves the contract on $PORT "
            "[default: the reference orchestrator, python -m orchestrator.service]",
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
) -> None:
    """Break the orchestrator's world on purpose, check what must hold, and leave a report.

    Exit codes: 0 every expectation and objective held, 1 one failed, 2 bad input,
    3 Postgres, Toxiproxy or the system under test could not start (or the system
    bypasses Gauntlet's proxies), 130 interrupted (faults rolled back).
    """
    console = Console()
    try:
        scenarios = [load_scenario(p) for p in scenario] if scenario else load_suite(suite)
        if only:
            unknown = sorted(set(only) - {s.name for s in scenarios})
            if unknown:
                raise typer.BadParameter(f"no scenario named {unknown} in suite {suite!r}")
            scenarios = [s for s in scenarios if s.name in only]
        spec = load_slo_files(slo)
        command = target_command if target_command is not None else REFERENCE_COMMAND
        parse_command(command)
        remote = _remote_options(target_url, upstream or [], target_command, scenarios)
    except (YamlInputError, SloFileError, TargetCommandError, ValueError) as exc:
        typer.echo(f"gauntlet run: {exc}", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    for part in spec.not_evaluated:
        console.print(f"not evaluated: {part}")
    choose_images(postgres_image, toxiproxy_image)
    out_dir = out or Path("reports") / time.strftime("%Y%m%d-%H%M%S")
    system = target_url or command
    console.print(f"running {len(scenarios)} scenarios against: {system}; reports in {out_dir}")
    options = RunOptions(out_dir, db, toxiproxy, seed, target_command=command, **remote)
    try:
        code = run_suite(scenarios, spec, options, console)
    except TargetStartError as exc:
        typer.echo(f"gauntlet run: the system under test could not start: {exc}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    except ProxyBypassed as exc:
        typer.echo(f"gauntlet run: the system under test bypasses Gauntlet: {exc}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    except (PostgresUnavailable, OperationNotSupported, ToxiproxyError) as exc:
        typer.echo(f"gauntlet run: infrastructure could not start: {exc}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    raise typer.Exit(code)


def _remote_options(
    target_url: str | None, upstreams: list[str], target_command: str | None, scenarios: list
) -> dict[str, object]:
    """RunOptions' fields for --target-url, checked before anything starts."""
    if target_url is None:
        if upstreams:
            raise ValueError("--upstream only applies with --target-url")
        return {}
    if target_command is not None:
        raise ValueError("--target-command and --target-url exclude each other")
    if not upstreams:
        raise ValueError("--target-url needs at least one --upstream NAME=HOST:PORT")
    declared = tuple(parse_upstream(text) for text in upstreams)
    try:
        api_keys = json.loads(os.environ.get("GAUNTLET_API_KEYS") or "")
    except json.JSONDecodeError:
        raise ValueError(
            "--target-url: set GAUNTLET_API_KEYS to the system's API keys "
            '(JSON, key -> tenant, e.g. {"key-1": "acme"})'
        ) from None
    if not isinstance(api_keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in api_keys.items()
    ):
        raise ValueError("GAUNTLET_API_KEYS: expected a JSON object of API key -> tenant id")
    not_remote = [
        f"{s.name}: {timed.fault.kind}"
        for s in scenarios
        for timed in s.faults
        if not applies_remotely(timed.fault)
    ]
    if not_remote:
        raise ValueError(
            "--target-url: these faults need Gauntlet's own Postgres (choose scenarios with "
            f"--only or --scenario): {'; '.join(not_remote)}"
        )
    return {
        "target_url": target_url.rstrip("/"),
        "upstreams": declared,
        "api_keys": api_keys,
    }
