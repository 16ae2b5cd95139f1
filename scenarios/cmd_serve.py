"""`gauntlet serve` (being built)."""

import typer


def serve() -> None:
    typer.echo("gauntlet serve: not available yet", err=True)
    raise typer.Exit(2)
