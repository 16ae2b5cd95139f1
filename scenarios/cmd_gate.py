"""`gauntlet gate` (being built)."""

import typer


def gate() -> None:
    typer.echo("gauntlet gate: not available yet", err=True)
    raise typer.Exit(2)
