"""`gauntlet export OBSERVATIONS... [--out FILE]`: recorded observations as JSON lines.

Runs record observations as columnar segments (a folder of `*.parquet`); this writes them
as one JSON line each, the same lines a run wrote before segments (`Observation.to_json`),
for tools that read JSON. OBSERVATIONS are segment folders or files, or JSON-lines files
(copied through, so a mixed set exports whole). Without --out the lines go to stdout.
Exit 2 when an input is missing or unreadable (one line naming it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Annotated

import typer

from scenarios import exit_codes


def export(
    observations: Annotated[
        list[Path],
        typer.Argument(
            metavar="OBSERVATIONS...", help="segment folders or files, or observations.jsonl"
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", show_default=False, help="default: stdout"),
    ] = None,
) -> None:
    # Imported here so `gauntlet --help` stays fast.
    from slo.frame import expand
    from vocabulary import ObservationFileError

    try:
        files = expand(observations)
    except ObservationFileError as exc:
        typer.echo(f"gauntlet export: {exc}", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    if out is None:
        count = _write(files, sys.stdout)
    else:
        with out.open("w", encoding="utf-8") as stream:
            count = _write(files, stream)
    typer.echo(f"{count} observations exported", err=True)


def _write(files: list[Path], stream: IO[str]) -> int:
    from vocabulary import ObservationFileError, read_observations, write_observations
    from vocabulary.segment_format import observations_of

    count = 0
    for path in files:
        records = observations_of(path) if path.suffix == ".parquet" else read_observations(path)
        try:
            count += write_observations(stream, records)
        except ObservationFileError as exc:
            typer.echo(f"gauntlet export: {exc}", err=True)
            raise typer.Exit(exit_codes.BAD_INPUT) from None
        except (OSError, ValueError) as exc:  # pyarrow's errors on a damaged segment
            typer.echo(f"gauntlet export: {path}: cannot read ({_one_line(exc)})", err=True)
            raise typer.Exit(exit_codes.BAD_INPUT) from None
    return count


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
