"""`gauntlet run` (being built)."""

import typer


def run() -> None:
    typer.echo("gauntlet run: not available yet", err=True)
    raise typer.Exit(2)
