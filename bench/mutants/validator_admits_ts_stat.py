"""The validator bypass re-opened for `ts_stat` (SQL text run unvalidated)."""

from __future__ import annotations

from _validator_hole import open_hole

DEFECT = "validator bypass: ts_stat in attribute notation is not seen"
SCENARIOS = ("foreign-sql-text",)


def apply() -> None:
    open_hole("ts_stat")
