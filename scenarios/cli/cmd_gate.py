"""The release gate: `gauntlet gate OBSERVATIONS... --slo FILE [--slo FILE...] [--baseline FILE]
[--out DIR]`.

OBSERVATIONS are segment folders (a load run's `observations/`), segment files, JSON-lines
files, or globs of them.

Exit 0 when every objective holds, 1 when one fails (or is inconclusive under
`on_inconclusive: fail`), 2 when an input file is missing or malformed (one line naming it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scenarios import exit_codes

from .options import BaselineFile, GateJson, Out
from .report_folder import ReportOutput, reports_line

if TYPE_CHECKING:
    from rich.console import Console

    from slo import SloSpec
    from slo.results import Evaluation


Observations = Annotated[
    list[Path],
    typer.Argument(
        metavar="OBSERVATIONS...",
        help="segment folders or files, observations.jsonl files, or globs",
    ),
]
SloFiles = Annotated[
    list[Path],
    typer.Option(
        "--slo", metavar="PATH", help="SLO file or folder: Gauntlet YAML or OpenSLO v1 (repeatable)"
    ),
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="intervals and notes of every objective")
]


def gate(
    observations: Observations,
    slo: SloFiles,
    baseline: BaselineFile = None,
    out: Out = None,
    verbose: Verbose = False,
    json_summary: GateJson = False,
) -> None:
    # Imported here so `gauntlet --help` stays fast.
    from rich.console import Console

    from slo import BaselineFileError, SloFileError, verdict_exit_code, write_reports
    from vocabulary import ObservationFileError

    output = ReportOutput("gate", out, json_summary)
    try:
        spec, evaluation = _evaluated(observations, slo, baseline)
    except (SloFileError, BaselineFileError, ObservationFileError) as exc:
        output.refuse(str(exc))
    console = Console(stderr=json_summary, highlight=False)
    for part in spec.not_evaluated:
        typer.echo(f"not evaluated: {part}", err=True)
    _print_verdicts(evaluation, console, verbose=verbose)
    write_reports(output.folder, evaluation, title=f"Gate: {spec.name}", observations=observations)
    console.print(reports_line(output.folder), soft_wrap=True)
    output.finish(exit_codes.OK if verdict_exit_code(evaluation) == 0 else exit_codes.FAILED)


def _evaluated(
    observations: list[Path], slo: list[Path], baseline: Path | None
) -> tuple[SloSpec, Evaluation]:
    """The SLO files read and the observations judged against them (and the baseline)."""
    from slo import BaselineReport, evaluate_files, load_slo_files

    spec = load_slo_files(slo)
    previous = BaselineReport.load(baseline) if baseline is not None else None
    return spec, evaluate_files(observations, spec, baseline=previous)


def _print_verdicts(evaluation: Evaluation, console: Console, *, verbose: bool) -> None:
    from scenarios.runner.terminal import print_summary
    from slo import print_report

    if verbose:  # the full table: intervals, notes, error budgets (wide)
        print_report(evaluation, console=console)
    else:
        print_summary([], evaluation, [], console)
