"""The validator bypass re-opened for advisory locks."""

from __future__ import annotations

from _validator_hole import open_hole

DEFECT = "validator bypass: advisory locks in attribute notation are not seen"
SCENARIOS = ("advisory-lock-flood",)


def apply() -> None:
    open_hole("advisory_lock")
