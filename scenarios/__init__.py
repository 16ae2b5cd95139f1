"""Declarative chaos scenarios: the file model (`spec`), the runner (`runner`), the CLI
(`cli`) and the pytest plugin (`pytest_plugin`).

The package itself names only the scenario model and its loader, which are light to
import; the runner and the CLI are imported from their rooms.
"""

from .spec import Scenario, builtin_suites, load_scenario, load_suite

__all__ = ["Scenario", "builtin_suites", "load_scenario", "load_suite"]
