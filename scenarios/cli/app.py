"""The `gauntlet` command line. Each command lives in its own module; this file only wires them."""

from __future__ import annotations

import typer

from . import cmd_demo, cmd_gate, cmd_load, cmd_run, cmd_serve, cmd_worker

app = typer.Typer(
    name="gauntlet",
    help=(
        "Chaos-and-load testing harness with a reference orchestrator.\n\n"
        "Exit codes: 0 all held, 1 an expectation or objective failed, "
        "2 bad input or usage, 3 infrastructure could not start, 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("run", help="Run a chaos suite against the reference orchestrator and report.")(
    cmd_run.run
)
app.command("gate", help="Evaluate observations against an SLO file: the release gate.")(
    cmd_gate.gate
)
app.command("load", help="Drive the orchestrator service with Locust, optionally under chaos.")(
    cmd_load.load
)
app.command("worker", help="Join a load run's master from this host as a Locust worker.")(
    cmd_worker.worker
)
app.command("serve", help="Start the orchestrator HTTP service on the embedded stack.")(
    cmd_serve.serve
)
app.command("demo", help="Run one demo orchestration with in-process tools and print it.")(
    cmd_demo.demo
)


def main() -> None:
    app()
