"""The `gauntlet` command line. Each command lives in its own module; this file only wires them.

Start-up stays fast because command modules import their heavy dependencies (Postgres,
the orchestrator, Locust, the SLO engine) inside the command, never at module level.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer

from scenarios import exit_codes

from . import (
    cmd_demo,
    cmd_explore,
    cmd_export,
    cmd_fault,
    cmd_gate,
    cmd_init,
    cmd_list,
    cmd_load,
    cmd_run,
    cmd_schema,
    cmd_serve,
    cmd_validate,
    cmd_worker,
)
from .env_names import carry_renamed_variables, from_environment

EXIT_CODES_HELP = (
    "Exit codes: 0 all held; 1 an expectation or objective failed; 2 bad input or usage "
    "(one line on stderr); 3 infrastructure could not start; 4 an internal error (one line, "
    "the traceback saved to a file); 130 interrupted (faults rolled back). `serve` exits 0 "
    "when stopped with Ctrl-C or SIGTERM."
)

app = typer.Typer(
    name="gauntlet",
    help=(
        "Chaos-and-load testing harness with a reference orchestrator.\n\n"
        f"{EXIT_CODES_HELP}\n\n"
        "Every option can also be set from the environment as GAUNTLET_<COMMAND>_<OPTION>, "
        "e.g. GAUNTLET_RUN_DB=docker."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain help: brackets in help texts are text, not markup, and flags carry no type label.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "GAUNTLET"},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"gauntlet {gauntlet_version()}")
        raise typer.Exit(exit_codes.OK)


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False,
        "--version",
        callback=_show_version,
        is_eager=True,
        help="Print the version and exit.",
        allow_from_autoenv=False,
    ),
) -> None:
    """Chaos-and-load testing harness with a reference orchestrator."""
    carry_renamed_variables()  # before any command reads its options from the environment


def gauntlet_version() -> str:
    try:
        return version("gauntlet")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


app.command("run", help="Run a chaos suite against the reference orchestrator and report.")(
    cmd_run.run
)
app.command("gate", help="Evaluate observations against an SLO file: the release gate.")(
    cmd_gate.gate
)
app.command("export", help="Write recorded observations (segments) as JSON lines.")(
    cmd_export.export
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
app.command("validate", help="Check scenario, SLO and load profile files without running.")(
    cmd_validate.validate
)
app.command("list", help="List what exists: scenarios, faults, intents, tenants.")(
    cmd_list.list_things
)
app.command("explore", help="Search faults and tenant abuse for a broken promise; shrink it.")(
    cmd_explore.explore
)
app.command("init", help="Write a scenario file to start from.")(cmd_init.init)
app.add_typer(cmd_fault.app, name="fault", help="Add, list and remove faults on `serve --chaos`.")
app.add_typer(cmd_schema.app, name="schema", help="Print the JSON Schema of a report.")
app.command("demo", help="Run one demo orchestration with in-process tools and print it.")(
    cmd_demo.demo
)


def main() -> None:
    """The console script: usage errors are one line and exit 2, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # typer's usage errors: bad option, unknown command
        if type(exc).__name__ == "NoArgsIsHelpError":  # `gauntlet` alone: the help, as usage
            typer.echo(exc.format_message())
        else:
            typer.echo(f"{_command_path(exc)}: {_usage_message(exc)}", err=True)
            _usage_error_as_json(exc)
        code = exit_codes.BAD_INPUT
    except (typer.Abort, KeyboardInterrupt):
        code = _interrupted()
    except Exception as exc:  # noqa: BLE001 - the last boundary: a bug is one line, not a traceback
        if _interrupt_within(exc):
            code = _interrupted()
        else:
            code = _internal_error(exc)
    if code == exit_codes.INTERRUPTED:  # typer's own answer to a KeyboardInterrupt, too
        code = exit_codes.on_interrupt(sys.argv[1:])
    sys.exit(code if isinstance(code, int) else exit_codes.OK)


def _interrupted() -> int:
    code = exit_codes.on_interrupt(sys.argv[1:])
    typer.echo("gauntlet: stopped" if code == exit_codes.OK else "gauntlet: interrupted", err=True)
    return code


def _interrupt_within(exc: BaseException) -> bool:
    """Whether a Ctrl-C or a stop signal is what raised `exc`: one that lands while an
    import builds a class (a descriptor's `__set_name__`) reaches us wrapped in a
    RuntimeError (Python 3.11), its cause the KeyboardInterrupt."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__
    return False


def _internal_error(exc: Exception) -> int:
    saved = _save_traceback(exc)
    typer.echo(f"gauntlet: internal error: {type(exc).__name__}: {_one_line(str(exc))}", err=True)
    typer.echo(f"gauntlet: the traceback is in {saved}; please report it", err=True)
    return exit_codes.INTERNAL_ERROR


def _usage_message(exc: typer.TyperException) -> str:
    # A bad value read from the environment is fixed there: name the variable, not the option.
    variable = from_environment(exc) if isinstance(exc, typer.BadParameter) else None
    if variable is not None:
        return f"{variable}: {_one_line(exc.message)}"
    return _one_line(exc.format_message())


def _save_traceback(exc: BaseException) -> Path:
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile(
        "w", prefix="gauntlet-error-", suffix=".txt", delete=False, encoding="utf-8"
    ) as file:
        traceback.print_exception(exc, file=file)
    return Path(file.name)


def _usage_error_as_json(exc: typer.TyperException) -> None:
    # A script that asked for --json reads stdout: a usage error is an answer there too.
    from .report_folder import error_json

    command = _command_path(exc).removeprefix("gauntlet ")
    switch = os.environ.get(f"GAUNTLET_{command.upper()}_JSON", "").lower()
    asked = "--json" in sys.argv[1:] or switch in ("1", "true", "yes", "on")
    if command in ("run", "gate", "load") and asked:
        typer.echo(error_json(command, _usage_message(exc), exit_codes.BAD_INPUT))


def _command_path(exc: typer.TyperException) -> str:
    context = getattr(exc, "ctx", None)
    return context.command_path if context is not None else "gauntlet"


def _one_line(message: str) -> str:
    return " ".join(message.split())
