"""`gauntlet load` (being built)."""

import typer


def load() -> None:
    typer.echo("gauntlet load: not available yet", err=True)
    raise typer.Exit(2)
