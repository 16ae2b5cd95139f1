"""Shell completion of option values: scenario names, load profiles, fault kinds.

Installed with `gauntlet --install-completion`. A completer runs on every Tab press, so it
imports what it needs when called and never raises: a broken suite file completes nothing
rather than printing a traceback into the shell.
"""

from __future__ import annotations

from collections.abc import Callable


def scenario_names(incomplete: str) -> list[str]:
    """`--only`: the core suite's scenario names."""

    def names() -> list[str]:
        from scenarios.spec.loader import load_suite

        return [scenario.name for scenario in load_suite("core")]

    return _matching(names, incomplete)


def profile_names(incomplete: str) -> list[str]:
    """`--profile`: the built-in load profiles (a file path completes as a path)."""

    def names() -> list[str]:
        from load.inputs.profile import builtin_profiles

        return builtin_profiles()

    return _matching(names, incomplete)


def fault_kinds(incomplete: str) -> list[str]:
    """`fault add KIND`: the network fault kinds a running stack takes by hand."""

    def names() -> list[str]:
        from .hand_faults import HAND_KINDS

        return list(HAND_KINDS)

    return _matching(names, incomplete)


def _matching(names: Callable[[], list[str]], incomplete: str) -> list[str]:
    try:
        return [name for name in names() if name.startswith(incomplete)]
    except Exception:  # noqa: BLE001 - a completer must never break the shell
        return []
