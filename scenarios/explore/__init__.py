"""`gauntlet explore`: a search of the space of faults and tenant abuse for a broken promise.

space ──► experiments (hypothesis strategies over every fault kind, abuse, traffic)
      ──► session (world + system up; each experiment run by scenarios.runner)
      ──► promises (the universal ones, as the suite's expectations)
      ──► confirmation (fresh runs, alpha spending) ──► search (hypothesis shrinks)
      ──► find_file (a scenario YAML) + summary
"""

from . import find_file, summary
from .experiments import experiments
from .fault_space import FaultSpace
from .search import Find, SearchReport
from .session import ExploreOptions, explore_session

__all__ = [
    "ExploreOptions",
    "FaultSpace",
    "Find",
    "SearchReport",
    "experiments",
    "explore_session",
    "find_file",
    "summary",
]
