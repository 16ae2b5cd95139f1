"""`gauntlet explore`: search faults and tenant abuse for a broken promise, shrink it to a
scenario file."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from scenarios import exit_codes
from target.backends import WorldBackends

from .options import (
    Db,
    Out,
    PromisesFile,
    TargetCommand,
    TargetImage,
    TargetUrl,
    Toxiproxy,
    Upstreams,
)
from .report_folder import error_json, report_folder, say_interrupted

# The options only `explore` has; the shared ones come from `.options`.
Budget = Annotated[str, typer.Option(metavar="DURATION", help="how long to search, e.g. 90s, 10m")]
SearchSeed = Annotated[
    int | None,
    typer.Option(metavar="N", help="seed of the search (same seed, same experiments)"),
]
Replay = Annotated[
    bool,
    typer.Option("--replay", help="re-run the finds saved in --out DIR's example database instead"),
]
Finds = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        min=1,
        help="stop once N finds are confirmed and shrunk (default: search the whole budget)",
    ),
]
ExploreJson = Annotated[
    bool,
    typer.Option("--json", envvar="GAUNTLET_EXPLORE_JSON", help="print a JSON summary on stdout"),
]


def explore(
    budget: Budget = "10m",
    seed: SearchSeed = None,
    out: Out = None,
    replay: Replay = False,
    finds: Finds = None,
    db: Db = WorldBackends.db,
    toxiproxy: Toxiproxy = WorldBackends.toxiproxy,
    target_command: TargetCommand = None,
    target_image: TargetImage = None,
    target_url: TargetUrl = None,
    upstream: Upstreams = None,
    promises: PromisesFile = None,
    json_summary: ExploreJson = False,
) -> None:
    """Generate experiments (faults, their magnitudes and overlaps, tenant abuse, traffic),
    judge each against the universal promises, confirm a broken one on fresh runs, shrink
    it and write it as a scenario file under DIR/found/.

    Exit codes: 0 nothing confirmed broken within the budget, 1 a find confirmed, 2 bad
    input, 3 Postgres, Toxiproxy or the system under test could not start, 130 interrupted.
    """
    from rich.console import Console

    from .explore_run import ExploreError, run_explore

    console = Console(stderr=json_summary, highlight=False)
    budget_s = _budget_seconds(budget, json_summary)
    if replay and out is None:
        _bad_input("--replay: name the folder of the search to replay with --out DIR", json_summary)
    chosen_seed = seed if seed is not None else secrets.randbelow(2**31)
    try:
        code, document = run_explore(
            folder=report_folder(out),
            budget_s=budget_s,
            seed=chosen_seed,
            replay=replay,
            target=(target_command, target_image, target_url, upstream or []),
            world=(db, toxiproxy),
            console=console,
            enough_finds=finds,
            promises=promises,
        )
    except ExploreError as exc:
        if exc.code == exit_codes.BAD_INPUT:
            _bad_input(str(exc), json_summary)
        typer.echo(f"gauntlet explore: {exc}", err=True)
        raise typer.Exit(exc.code) from None
    _finish(code, document, json_summary)


def _finish(code: int, document: dict, json_summary: bool) -> NoReturn:
    """The `--json` summary, the interrupted line (last, after the summary), the exit."""
    if json_summary:
        typer.echo(json.dumps(document, indent=2))
    if code == exit_codes.INTERRUPTED:
        say_interrupted("explore", Path(document["reports"]))
    raise typer.Exit(code)


def _budget_seconds(budget: str, json_summary: bool) -> float:
    """`--budget` in seconds; anything but a duration above zero is bad input."""
    from chaos.duration import parse_duration

    try:
        budget_s = parse_duration(budget)
        if budget_s <= 0:
            raise ValueError(f"expected a budget above zero, got {budget!r}")
    except ValueError as exc:
        _bad_input(f"--budget: {exc}", json_summary)
    return budget_s


def _bad_input(message: str, json_summary: bool) -> NoReturn:
    typer.echo(f"gauntlet explore: {message}", err=True)
    if json_summary:
        typer.echo(error_json("explore", message, exit_codes.BAD_INPUT))
    raise typer.Exit(exit_codes.BAD_INPUT)
