"""Checks of option values shared by several commands; each failure is one line, exit 2."""

from __future__ import annotations

import typer


def check_db(value: str) -> str:
    """`--db`: embedded, docker or a postgresql:// URL."""
    if value in ("embedded", "docker") or value.startswith(("postgresql://", "postgres://")):
        return value
    raise typer.BadParameter(f"expected embedded, docker or a postgresql:// URL, got {value!r}")


def check_toxiproxy(value: str) -> str:
    """`--toxiproxy`: auto, local, docker or http://host:port."""
    from chaos.toxiproxy import ToxiproxyUnavailable, check_toxiproxy_spec

    try:
        check_toxiproxy_spec(value)
    except ToxiproxyUnavailable as exc:
        raise typer.BadParameter(str(exc)) from None
    return value
