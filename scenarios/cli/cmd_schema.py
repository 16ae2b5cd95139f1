"""`gauntlet schema report`: the JSON Schema that every report.json follows."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("report")
def report() -> None:
    """Print the JSON Schema (draft 2020-12) of report.json."""
    from slo.report_schema import report_json_schema_text

    typer.echo(report_json_schema_text())
