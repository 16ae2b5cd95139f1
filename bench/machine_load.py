"""How busy the machine was while a benchmark ran: a ratio is read with it.

load = MachineLoad()          # at the start
...
result["machine"] = load.figures()
print(f"  ({in_words(result['machine'])})")
"""

from __future__ import annotations

import os
from collections.abc import Mapping


class MachineLoad:
    """The 1-minute load average when the benchmark started, and (at `figures`) now."""

    def __init__(self) -> None:
        self.before = os.getloadavg()[0]

    def figures(self) -> dict[str, float | int | None]:
        return {
            "cpu_count": os.cpu_count(),
            "load_average_1m_before": round(self.before, 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        }


def in_words(machine: Mapping[str, object]) -> str:
    return (
        f"load average {machine['load_average_1m_before']} before, "
        f"{machine['load_average_1m_after']} after, {machine['cpu_count']} cores"
    )


def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds (user and system) used so far by the process `pid` and every process
    under it; a child that ended meanwhile is left out."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total
