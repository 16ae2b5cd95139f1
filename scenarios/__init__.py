"""Declarative chaos scenarios: the file model (`spec`), the runner (`runner`), the CLI
(`cli`) and the pytest plugin (`pytest_plugin`).

The package itself names only the scenario model and its loader; they are imported when
first used, so that `gauntlet --help` and `scenarios.exit_codes` stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .spec import Scenario, builtin_suites, load_scenario, load_suite

__all__ = ["Scenario", "builtin_suites", "load_scenario", "load_suite"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import spec

        return getattr(spec, name)
    raise AttributeError(f"module 'scenarios' has no attribute {name!r}")
