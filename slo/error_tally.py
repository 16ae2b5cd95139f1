"""The error codes a run met most often, named in every failing summary.

A failing gate that only says "31% partial" leaves the reader to open the observations to
learn why; the top codes (`direct_query concurrency_limit 312`) usually say it at once.
"""

from __future__ import annotations

from collections.abc import Mapping


def top_errors(tally: Mapping[str, int], limit: int = 3) -> list[tuple[str, int]]:
    """`[("direct_query concurrency_limit", 312), ...]`: of the `tool code` labels of every
    request's tool errors and how often each was met, the most frequent first."""
    return sorted(tally.items(), key=lambda item: (-item[1], item[0]))[:limit]


def show_errors(errors: list[tuple[str, int]]) -> str:
    """`direct_query concurrency_limit 312, metrics timeout 4`, or `none`."""
    return ", ".join(f"{label} {count}" for label, count in errors) or "none"
