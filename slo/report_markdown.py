"""report.md: short enough for a pull-request comment (one row per objective)."""

from __future__ import annotations

from collections.abc import Sequence

from .formatting import show_interval, show_value
from .results import Check, Evaluation
from .verdict import overall_verdict

_ICON = {"pass": "✅", "warn": "⚠️", "fail": "❌"}


def render_markdown(evaluation: Evaluation, checks: Sequence[Check], title: str) -> str:
    verdict = overall_verdict(evaluation, checks)
    lines = [
        f"## {_ICON[verdict]} {title}: **{verdict.upper()}**",
        "",
        f"SLO `{evaluation.spec.name}`, {evaluation.matched} of {evaluation.observations} observations, "
        f"{evaluation.spec.confidence:.0%} confidence, inconclusive → {evaluation.spec.on_inconclusive}.",
        "",
        "| | objective | target | observed | interval | n | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in evaluation.results:
        note = result.verdict
        if result.more_samples:
            note += f", ~{result.more_samples} more samples"
        if result.regression:
            note += ", **regressed vs baseline**"
        lines.append(
            f"| {_ICON[evaluation.gate_outcome(result)]} | {result.label} | {result.target} | "
            f"{show_value(result.observed, result.unit)} | {show_interval(result)} | {result.samples} | {note} |"
        )
    if checks:
        lines += ["", "| | check | detail |", "|---|---|---|"]
        lines += [
            f"| {_ICON['pass' if c.passed else 'fail']} | {c.group}: {c.name} | {c.detail} |"
            for c in checks
        ]
    return "\n".join(lines) + "\n"
