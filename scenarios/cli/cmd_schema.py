"""`gauntlet schema report`: the JSON Schema that every report.json follows."""

from __future__ import annotations

import typer

from scenarios import exit_codes

app = typer.Typer(no_args_is_help=True)


@app.command("report")
def report() -> None:
    """Print the JSON Schema (draft 2020-12) of report.json."""
    try:
        from slo.report_schema import report_json_schema_text
    except ImportError:  # an SLO package from before the schema was published
        typer.echo("gauntlet schema: this build of slo/ publishes no report schema", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
    typer.echo(report_json_schema_text())
