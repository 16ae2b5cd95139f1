"""`gauntlet init [FILE]`: write a scenario to start from (like `chaos init`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scenarios import exit_codes

TEMPLATE = """\
# A chaos scenario: run it with `gauntlet run --scenario {file}`,
# check it with `gauntlet validate {file}`.
# Fault kinds and their fields: `gauntlet list faults`; intents: `gauntlet list intents`.
name: {name}
description: latency on the metrics upstream beyond its deadline; answers stay partial
tags: [network, starter]
workload:
  intents:
    - {{intent: service_overview, weight: 3, parameters: {{service: checkout}}}}
    - {{intent: incident_triage, parameters: {{service: checkout}}}}
  tenants: [acme, globex]
  duration: 12s
  concurrency: 4
  rate: 10/s
# Checked before the faults, and again after they are rolled back.
steady_state: {{requests: 10, status: {{success: ">= 0.9"}}}}
faults:
  - {{fault: {{kind: latency, upstream: metrics, latency_ms: 3000}}, start: 3s, duration: 5s}}
expectations:
  - {{status: {{failed: "<= 0.05"}}, phase: fault}}
  - {{tool_errors: {{metrics: [timeout, circuit_open, connection_error]}}, phase: fault}}
  - no_cross_tenant_data: true
stop_conditions:
  - {{failed_ratio_above: 0.5, window: 5s, min_requests: 10}}
"""


def init(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="where to write it")] = Path(
        "scenario.yaml"
    ),
    name: Annotated[str, typer.Option(metavar="NAME", help="the scenario's name")] = (
        "my-first-scenario"
    ),
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
) -> None:
    """Write a scenario that runs as is; edit it from there."""
    if file.exists() and not force:
        typer.echo(f"gauntlet init: {file} exists; choose another FILE or --force", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(TEMPLATE.format(name=name, file=file), encoding="utf-8")
    typer.echo(f"wrote {file}; next: gauntlet validate {file} && gauntlet run --scenario {file}")
