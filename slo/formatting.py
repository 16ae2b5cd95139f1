"""Numbers as people read them, shared by every report."""

from __future__ import annotations

from collections.abc import Mapping

from .results import ObjectiveResult
from .spec import SloSpec


def show_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ratio":
        return f"{value:.3%}"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.0f} s"


def show_percent(share: float) -> str:
    """A target as its author wrote it: 0.02 is `2%`, 0.0005 is `0.05%` (4 decimals at most)."""
    return f"{share * 100:.4f}".rstrip("0").rstrip(".") + "%"


def show_interval(result: ObjectiveResult) -> str:
    if result.kind == "recovery":
        return "-"
    return f"[{show_value(result.lower, result.unit)}, {show_value(result.upper, result.unit)}]"


def show_note(result: ObjectiveResult) -> str:
    parts = [result.detail]
    if result.more_samples:
        parts.append(f"~{result.more_samples} more samples would likely settle it")
    if result.budget_consumed is not None:
        burn = result.max_burn_rate or 0
        parts.append(f"error budget used {result.budget_consumed:.0%}, peak burn rate {burn:.1f}x")
    if result.regression_detail:
        parts.append(result.regression_detail)
    return "; ".join(p for p in parts if p)


def judged_by(spec: SloSpec) -> str:
    """`SLO chaos-core from slo/examples/chaos-core.yaml (the core suite's default: no --slo
    given)`: which SLO judged the run, where it came from and why it was the one."""
    return f"SLO {spec.name}" + (f" from {spec.judged_by}" if spec.judged_by else "")


def no_data_lines(no_data: Mapping[str, str]) -> list[str]:
    """One line per objective left out for want of data: `no data: NAME (REASON)`."""
    return [f"no data: {name} ({reason})" for name, reason in no_data.items()]
