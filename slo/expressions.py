"""The SLO file's filters, events and groups as polars expressions over the observation frame."""

from __future__ import annotations

import polars as pl

from .frame import tool_column
from .spec import Filters, Objective, RatioKind

ANSWERED = ("success", "partial", "degraded")
NO_GROUP = "group"  # the column every split writes its group label to


def matches(filters: Filters) -> pl.Expr:
    """Every given field must match; a list matches any of its values."""
    expression = pl.lit(True)
    for name in ("scenario", "phase", "tenant", "intent", "source"):
        values = getattr(filters, name)
        if values is not None:
            wanted = [getattr(v, "value", v) for v in values]
            expression = expression & pl.col(name).is_in(wanted)
    return expression


def is_hit(objective: Objective) -> pl.Expr:
    """Whether a row is one of the events whose ratio the objective bounds."""
    kind, status = objective.ratio, pl.col("status")
    if kind is RatioKind.ANSWERED:
        return status.is_in(ANSWERED)
    if kind is RatioKind.FALLBACK:
        return pl.col("fallback_used")
    if kind is RatioKind.STATUS_IN:
        return status.is_in([str(s) for s in objective.statuses or ()])
    if kind is RatioKind.TOOL_ERROR:
        code = pl.col(tool_column(objective.tool or ""))
        return code.is_not_null() if objective.error_code is None else code == objective.error_code
    return status == (kind.value if kind else "")


def group_key(per: str | None) -> pl.Expr:
    """The column a split groups by (the raw value: a label per row would cost a string each)."""
    return (pl.lit("") if per is None else pl.col(per)).alias(NO_GROUP)


def group_name(per: str | None, value: object) -> str:
    """ "" when the objective is not split, else e.g. "intent=search"."""
    return "" if per is None else f"{per}={value}"
