"""The release gate: `gauntlet gate OBSERVATIONS... --slo FILE [--slo FILE...] [--baseline FILE]
[--out DIR]`.

OBSERVATIONS are JSON-lines files or globs of them (e.g. a load run's worker files).

Exit 0 when every objective holds, 1 when one fails (or is inconclusive under
`on_inconclusive: fail`), 2 when an input file is missing or malformed (one line naming it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from scenarios import exit_codes
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


def gate(
    observations: Annotated[
        list[Path], typer.Argument(help="observations.jsonl files (one record per request)")
    ],
    slo: Annotated[
        list[Path],
        typer.Option(
            "--slo",
            help="SLO file or folder: Gauntlet YAML or OpenSLO v1 (repeatable)",
            metavar="PATH",
        ),
    ],
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="a previous report.json to compare against")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="folder for report.json/md/html and junit.xml")
    ] = None,
) -> None:
    try:
        spec = load_slo_files(slo)
        previous = BaselineReport.load(baseline) if baseline is not None else None
        evaluation = evaluate_files(observations, spec, baseline=previous)
    except (SloFileError, BaselineFileError, ObservationFileError) as exc:
        typer.echo(f"gauntlet gate: {exc}", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    for part in spec.not_evaluated:
        typer.echo(f"not evaluated: {part}", err=True)
    print_report(evaluation, console=Console())
    if out is not None:
        written = write_reports(
            out, evaluation, title=f"Gate: {spec.name}", observations=observations
        )
        typer.echo(f"reports: {', '.join(str(p) for p in written.values())}")
    code = verdict_exit_code(evaluation)
    raise typer.Exit(exit_codes.OK if code == 0 else exit_codes.FAILED)
