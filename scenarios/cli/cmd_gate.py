"""The release gate: `gauntlet gate OBSERVATIONS... --slo FILE [--slo FILE...] [--baseline FILE]
[--out DIR]`.

OBSERVATIONS are segment folders (a load run's `observations/`), segment files, JSON-lines
files, or globs of them.

Exit 0 when every objective holds, 1 when one fails (or is inconclusive under
`on_inconclusive: fail`), 2 when an input file is missing or malformed (one line naming it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scenarios import exit_codes

from .report_folder import DEFAULT_HELP, error_json, report_folder, reports_line, summary_json


def gate(
    observations: Annotated[
        list[Path],
        typer.Argument(
            metavar="OBSERVATIONS...",
            help="segment folders or files, observations.jsonl files, or globs",
        ),
    ],
    slo: Annotated[
        list[Path],
        typer.Option(
            "--slo",
            metavar="PATH",
            help="SLO file or folder: Gauntlet YAML or OpenSLO v1 (repeatable)",
        ),
    ],
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", metavar="FILE", help="a previous report.json to compare with"),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", show_default=False, help=DEFAULT_HELP),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="intervals and notes of every objective")
    ] = False,
    json_summary: Annotated[
        bool,
        typer.Option(
            "--json",
            envvar="GAUNTLET_GATE_JSON",
            help="print a machine-readable summary on stdout (text to stderr)",
        ),
    ] = False,
) -> None:
    # Imported here so `gauntlet --help` stays fast.
    from rich.console import Console

    from scenarios.runner.terminal import print_summary
    from slo import (
        BaselineFileError,
        BaselineReport,
        SloFileError,
        evaluate_files,
        load_slo_files,
        print_report,
        verdict_exit_code,
        write_reports,
    )
    from vocabulary import ObservationFileError

    try:
        spec = load_slo_files(slo)
        previous = BaselineReport.load(baseline) if baseline is not None else None
        evaluation = evaluate_files(observations, spec, baseline=previous)
    except (SloFileError, BaselineFileError, ObservationFileError) as exc:
        typer.echo(f"gauntlet gate: {exc}", err=True)
        if json_summary:
            typer.echo(error_json("gate", str(exc), exit_codes.BAD_INPUT))
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    console = Console(stderr=json_summary, highlight=False)
    for part in spec.not_evaluated:
        typer.echo(f"not evaluated: {part}", err=True)
    if verbose:  # the full table: intervals, notes, error budgets (wide)
        print_report(evaluation, console=console)
    else:
        print_summary([], evaluation, [], console)
    folder = report_folder(out)
    write_reports(folder, evaluation, title=f"Gate: {spec.name}", observations=observations)
    console.print(reports_line(folder), soft_wrap=True)
    code = exit_codes.OK if verdict_exit_code(evaluation) == 0 else exit_codes.FAILED
    if json_summary:
        typer.echo(summary_json("gate", folder, code))
    raise typer.Exit(code)
