"""The world around the orchestrator: Postgres, Toxiproxy, and the faults applied to them.

    with open_world() as world:          # seeded Postgres behind one proxy per upstream
        with parse_fault({"kind": "down", "upstream": "metrics"}).apply(world):
            ...                          # the world is broken here, restored after

Subpackages name their own surfaces: `chaos.faults` (the fault catalogue),
`chaos.postgres` and `chaos.toxiproxy` (the servers).
"""

from .duration import Duration, PositiveDuration, Rate, format_duration, parse_duration
from .loopback_port import free_loopback_port
from .schedule import FaultSpan, TimedFault, check_schedule_fits, fault_spans
from .stop_condition import StopCondition
from .stop_watch import StopDecision, StopWatch
from .world import World, open_world

__all__ = [
    "Duration",
    "FaultSpan",
    "PositiveDuration",
    "Rate",
    "StopCondition",
    "StopDecision",
    "StopWatch",
    "TimedFault",
    "World",
    "check_schedule_fits",
    "fault_spans",
    "format_duration",
    "free_loopback_port",
    "open_world",
    "parse_duration",
]
