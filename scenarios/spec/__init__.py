"""The scenario file as data: its model, its expectations and stop conditions, its loader."""

from chaos.stop_condition import StopCondition  # one model for scenarios and load runs

from .expectations import EXPECTATION_KINDS, AnyExpectation
from .loader import BUILTIN_SUITES_DIR, builtin_suites, load_scenario, load_suite
from .model import Scenario, SteadyState, Workload

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
