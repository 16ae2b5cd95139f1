"""Running scenarios: the experiment, the suite, its traffic, and the checks on what came back."""

from .experiment import ScenarioResult, run_experiment
from .suite_run import RunOptions, run_suite, service_config

__all__ = ["RunOptions", "ScenarioResult", "run_experiment", "run_suite", "service_config"]
