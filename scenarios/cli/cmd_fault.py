"""`gauntlet fault add|list|remove`: break a running `gauntlet serve --chaos` by hand.

    gauntlet fault add latency upstream=metrics latency_ms=3000
    gauntlet fault list                       # id, age, what
    gauntlet fault remove ID | --all

The stack is found through the record `serve --chaos` writes; with several running,
`--stack PID` picks one. Faults still in place when the stack stops are removed with it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scenarios import exit_codes

from . import completion

if TYPE_CHECKING:
    from .stack_state import StackRecord

app = typer.Typer(no_args_is_help=True)

StackOption = Annotated[
    int | None,
    typer.Option(
        "--stack", metavar="PID", help="which `serve --chaos` (needed only if several run)"
    ),
]


@app.command("add")
def add(
    kind: Annotated[
        str,
        typer.Argument(
            help="a network fault kind (`gauntlet list faults`)",
            autocompletion=completion.fault_kinds,
        ),
    ],
    fields: Annotated[
        list[str] | None,
        typer.Argument(metavar="FIELD=VALUE...", help="e.g. upstream=metrics latency_ms=3000"),
    ] = None,
    stack: StackOption = None,
) -> None:
    """Add a fault; it stays until `fault remove` or until the stack stops."""
    from . import hand_faults
    from .stack_state import editing

    try:
        fault = hand_faults.hand_fault(kind, parse_fields(fields or []))
    except ValueError as exc:
        _fail(exit_codes.BAD_INPUT, str(exc))
    record = _the_stack(stack)
    if (problem := hand_faults.unknown_proxy(record, fault)) is not None:
        _fail(exit_codes.BAD_INPUT, problem)
    with _toxiproxy_errors(), editing(record.pid) as current:
        added = hand_faults.add(current, fault)
        current.faults.append(added)
    typer.echo(f"added {added.id}: {hand_faults.describe(added)}")


@app.command("list")
def list_faults(stack: StackOption = None) -> None:
    """The faults added by hand, with their age."""
    from .hand_faults import age, describe

    record = _the_stack(stack)
    typer.echo(f"stack {record.pid} at {record.service_url} (toxiproxy {record.toxiproxy_url})")
    if not record.faults:
        typer.echo("no faults added by hand")
    now = time.time()
    for fault in record.faults:
        typer.echo(f"{fault.id}  {age(now - fault.added_at):>7}  {describe(fault)}")


@app.command("remove")
def remove(
    fault_ids: Annotated[list[str] | None, typer.Argument(metavar="ID...")] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all", envvar="GAUNTLET_FAULT_REMOVE_ALL", help="remove every fault added by hand"
        ),
    ] = False,
    stack: StackOption = None,
) -> None:
    """Remove faults added by hand, by id (or all of them)."""
    from . import hand_faults
    from .stack_state import editing

    if not fault_ids and not every:
        _fail(exit_codes.BAD_INPUT, "give fault ids (see `gauntlet fault list`) or --all")
    record = _the_stack(stack)
    with _toxiproxy_errors(), editing(record.pid) as current:
        known = {fault.id: fault for fault in current.faults}
        chosen = list(known) if every else list(fault_ids or [])
        for fault_id in chosen:
            if fault_id not in known:
                _fail(exit_codes.BAD_INPUT, f"no fault {fault_id!r}; known: {_ids(known)}")
        for fault_id in chosen:
            hand_faults.remove(current, known[fault_id])
            current.faults.remove(known[fault_id])
            typer.echo(f"removed {fault_id}: {hand_faults.describe(known[fault_id])}")


def parse_fields(pairs: list[str]) -> dict[str, Any]:
    """`latency_ms=3000` → {"latency_ms": 3000}: values read as YAML scalars."""
    import yaml

    fields: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"expected FIELD=VALUE, got {pair!r}")
        fields[key] = yaml.safe_load(value) if value else ""
    return fields


def _the_stack(pid: int | None) -> StackRecord:
    from .stack_state import running_stacks

    stacks = running_stacks()
    if pid is not None:
        stacks = [s for s in stacks if s.pid == pid]
    if not stacks:
        where = f" with pid {pid}" if pid is not None else ""
        _fail(exit_codes.BAD_INPUT, f"no running `gauntlet serve --chaos`{where}: start one first")
    if len(stacks) > 1:
        pids = ", ".join(str(s.pid) for s in stacks)
        _fail(exit_codes.BAD_INPUT, f"several stacks run (pids {pids}): choose one with --stack")
    return stacks[0]


@contextmanager
def _toxiproxy_errors() -> Iterator[None]:
    """A Toxiproxy that vanished under us is an infrastructure failure: one line, exit 3."""
    from chaos.toxiproxy import ToxiproxyError

    try:
        yield
    except ToxiproxyError as exc:
        _fail(exit_codes.INFRASTRUCTURE, f"toxiproxy: {str(exc).splitlines()[0]}")
    except LookupError as exc:  # the stack stopped between finding it and editing it
        _fail(exit_codes.BAD_INPUT, str(exc).strip("'\""))


def _ids(known: dict[str, Any]) -> str:
    return ", ".join(known) or "none"


def _fail(code: int, message: str) -> None:
    typer.echo(f"gauntlet fault: {message}", err=True)
    raise typer.Exit(code)
