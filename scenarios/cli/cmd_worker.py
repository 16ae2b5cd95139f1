"""`gauntlet worker --master HOST:PORT`: a Locust worker for a load run's master anywhere."""

from __future__ import annotations

import typer

from scenarios import exit_codes


def worker(
    master: str = typer.Option(
        ..., "--master", help="The master's HOST:PORT (its `gauntlet load --master-port`)."
    ),
    processes: int = typer.Option(
        1, "--processes", min=1, help="Locust worker processes on this host."
    ),
    wait: float = typer.Option(
        60.0, "--wait", min=0, help="Seconds to keep trying to reach the master."
    ),
) -> None:
    # Imported here so `gauntlet --help` stays fast; Locust itself starts in the new process.
    from load.transport.worker_join import WorkerJoinError, join

    try:
        join(master, processes, wait_s=wait)  # becomes the Locust worker: returns only on error
    except ValueError as exc:
        typer.echo(f"gauntlet worker: {exc}", err=True)
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    except WorkerJoinError as exc:
        typer.echo(f"gauntlet worker: infrastructure: {exc}", err=True)
        raise typer.Exit(exit_codes.INFRASTRUCTURE) from None
