"""The statement is sent as it is: no database-side measure of each row against the cap."""

from __future__ import annotations

DEFECT = "row-size guard removed: a 100 MB row is fetched whole before the cap is checked"
SCENARIOS = ("huge-single-row",)


def apply() -> None:
    from catalogue import replace

    from orchestrator.tools import _direct_query

    def unguarded(statement: str, max_bytes: int) -> str:
        return statement

    replace(_direct_query, "size_guarded", unguarded)
