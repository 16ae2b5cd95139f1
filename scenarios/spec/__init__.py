"""The scenario file as data: its model, its expectations and stop conditions, its loader."""

from .expectations import EXPECTATION_KINDS, AnyExpectation
from .loader import BUILTIN_SUITES_DIR, builtin_suites, load_scenario, load_suite
from .model import Scenario, SteadyState, Workload
from .stop_condition import StopCondition

__all__ = [
    "BUILTIN_SUITES_DIR",
    "EXPECTATION_KINDS",
    "AnyExpectation",
    "Scenario",
    "SteadyState",
    "StopCondition",
    "Workload",
    "builtin_suites",
    "load_scenario",
    "load_suite",
]
