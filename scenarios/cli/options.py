"""The typer face of the options `run` and `load` (and `gate`) share: one declaration each.

Each flag's name, metavar and help live beside the model it fills (`target.choice`,
`target.backends`, `report_folder`); here they only become typer options, so a command
declares `db: Db = "embedded"` and builds its models from what it was given. The pytest
plugin builds the same models from the same flags (`scenarios.pytest_plugin`).

A flag's environment variable follows the command (`GAUNTLET_RUN_DB`, `GAUNTLET_LOAD_DB`),
so one declaration serves every command; only the image variables are read beyond one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from target.backends import (
    DB,
    POSTGRES_IMAGE,
    TOXIPROXY,
    TOXIPROXY_IMAGE,
    check_db,
    check_toxiproxy,
)
from target.choice import TARGET_COMMAND, TARGET_IMAGE, TARGET_URL, UPSTREAM
from target.flags import Flag

from .report_folder import DEFAULT_HELP


def option(flag: Flag, **extra: Any) -> Any:
    """A typer option for `flag`, as its model describes it."""
    return typer.Option(flag.cli, metavar=flag.metavar, envvar=flag.envvar, help=flag.help, **extra)


def checked(check: Callable[[str], str]) -> Callable[[str], str]:
    """A typer callback from a model's check: its `ValueError` becomes a usage error (exit 2)."""

    def callback(value: str) -> str:
        try:
            return check(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return callback


check_toxiproxy_option = checked(check_toxiproxy)

# The world's backends (`target.backends.WorldBackends`).
Db = Annotated[str, option(DB, callback=checked(check_db))]
Toxiproxy = Annotated[str, option(TOXIPROXY, callback=check_toxiproxy_option)]
PostgresImage = Annotated[str | None, option(POSTGRES_IMAGE)]
ToxiproxyImage = Annotated[str | None, option(TOXIPROXY_IMAGE)]

# The system under test (`target.choice.TargetChoice.from_flags`).
TargetCommand = Annotated[str | None, option(TARGET_COMMAND)]
TargetImage = Annotated[str | None, option(TARGET_IMAGE)]
TargetUrl = Annotated[str | None, option(TARGET_URL)]
Upstreams = Annotated[list[str] | None, option(UPSTREAM)]

# The report output (`report_folder.ReportOutput`); `--json` names its command's variable.
Out = Annotated[Path | None, typer.Option(metavar="DIR", show_default=False, help=DEFAULT_HELP)]
JSON_HELP = "print a machine-readable summary on stdout (text to stderr)"
RunJson = Annotated[bool, typer.Option("--json", envvar="GAUNTLET_RUN_JSON", help=JSON_HELP)]
LoadJson = Annotated[bool, typer.Option("--json", envvar="GAUNTLET_LOAD_JSON", help=JSON_HELP)]
GateJson = Annotated[bool, typer.Option("--json", envvar="GAUNTLET_GATE_JSON", help=JSON_HELP)]

# What a run is judged against. `--slo` stays with each command (run merges several files,
# load reads one); the system's declared promises are one option for run, load and validate
# (the pytest plugin spells it --gauntlet-promises).
PROMISES_HELP = (
    "the system's declared promises (YAML/JSON; gauntlet schema promises) [default: the "
    "reference's own for the reference, else none: universal promises only]"
)
PromisesFile = Annotated[
    Path | None,
    typer.Option("--promises", metavar="FILE", show_default=False, help=PROMISES_HELP),
]

# A previous report.json to compare with (`run`, `gate`): its healthy phase and objectives.
BaselineFile = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        metavar="FILE",
        help="a previous report.json of the same workload to compare with (healthy-phase "
        "p50, p95 and status mix per scenario and intent; objectives)",
    ),
]
