"""The validator bypass re-opened for `pg_cancel_backend`."""

from __future__ import annotations

from _validator_hole import open_hole

DEFECT = "validator bypass: pg_cancel_backend in attribute notation is not seen"
SCENARIOS = ("cancel-foreign-queries",)


def apply() -> None:
    open_hole("pg_cancel_backend")
