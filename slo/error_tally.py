"""The error codes a run met most often, named in every failing summary.

A failing gate that only says "31% partial" leaves the reader to open the observations to
learn why; the top codes (`direct_query concurrency_limit 312`) usually say it at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from vocabulary import Observation


def top_errors(observations: Iterable[Observation], limit: int = 3) -> list[tuple[str, int]]:
    """`[("direct_query concurrency_limit", 312), ...]`: tool and code, most frequent first."""
    tally: Counter[str] = Counter()
    for observation in observations:
        for tool, code in observation.tool_errors.items():
            tally[f"{tool} {code}"] += 1
    return sorted(tally.items(), key=lambda item: (-item[1], item[0]))[:limit]


def show_errors(errors: list[tuple[str, int]]) -> str:
    """`direct_query concurrency_limit 312, metrics timeout 4`, or `none`."""
    return ", ".join(f"{label} {count}" for label, count in errors) or "none"
