"""`gauntlet demo` (being built)."""

import typer


def demo() -> None:
    typer.echo("gauntlet demo: not available yet", err=True)
    raise typer.Exit(2)
