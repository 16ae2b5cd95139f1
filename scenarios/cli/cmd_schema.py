"""`gauntlet schema report|promises`: the published JSON Schemas (report.json, and the
promises file a system declares its resilience policy in)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("report")
def report() -> None:
    """Print the JSON Schema (draft 2020-12) of report.json."""
    from slo.report_schema import report_json_schema_text

    typer.echo(report_json_schema_text())


@app.command("promises")
def promises() -> None:
    """Print the JSON Schema (draft 2020-12) of a promises file."""
    from contract import promises_json_schema_text

    typer.echo(promises_json_schema_text(), nl=False)
