"""Options set from the environment: one naming rule, old names carried over, errors that name them.

Every option reads `GAUNTLET_<COMMAND>_<OPTION>` (`--json` of `gate` is `GAUNTLET_GATE_JSON`).
A variable that once had another name keeps working for a while, with a one-line notice.
"""

from __future__ import annotations

import os

import typer

# old name -> the name the rule gives; the old ones followed the Python parameter's name
RENAMED = {
    "GAUNTLET_RUN_JSON_SUMMARY": "GAUNTLET_RUN_JSON",
    "GAUNTLET_GATE_JSON_SUMMARY": "GAUNTLET_GATE_JSON",
    "GAUNTLET_LOAD_JSON_SUMMARY": "GAUNTLET_LOAD_JSON",
    "GAUNTLET_FAULT_REMOVE_EVERY": "GAUNTLET_FAULT_REMOVE_ALL",
}


def carry_renamed_variables() -> None:
    """Copy each deprecated variable that is set to its new name (the new name wins), saying so."""
    for old, new in RENAMED.items():
        if old not in os.environ:
            continue
        typer.echo(f"gauntlet: {old} is deprecated, use {new}", err=True)
        os.environ.setdefault(new, os.environ[old])


def from_environment(exc: typer.BadParameter) -> str | None:
    """The variable a bad value came from, or None when it came from the command line."""
    ctx, param = exc.ctx, exc.param
    if ctx is None or param is None or param.name is None:
        return None
    source = ctx.get_parameter_source(param.name)
    if source is None or source.name != "ENVIRONMENT":
        return None
    names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or [])
    if not names and ctx.auto_envvar_prefix:
        names = [f"{ctx.auto_envvar_prefix}_{param.name.upper()}"]
    return next((name for name in names if os.environ.get(name)), None)
