"""report.md: short enough for a pull-request comment (one row per objective and check).

Every value is written for a reader, never as a Python repr; a cell escapes the characters
that would break a Markdown table (`|` and line breaks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .formatting import show_interval, show_value
from .results import Check, Evaluation, JudgedBy
from .verdict import overall_verdict

_ICON = {"pass": "✅", "warn": "⚠️", "inconclusive": "❔", "fail": "❌"}


def render_markdown(
    evaluation: Evaluation,
    checks: Sequence[Check],
    title: str,
    *,
    interrupted: bool = False,
    judged_by: JudgedBy | None = None,
) -> str:
    verdict = overall_verdict(evaluation, checks)
    spec = evaluation.spec
    lines = [f"## {_ICON[verdict]} {_cell(title)}: **{verdict.upper()}**", ""]
    if interrupted:
        lines += ["> **Interrupted**: the run was stopped early; these results are partial.", ""]
    lines += [
        f"SLO `{spec.name}`, {evaluation.matched} of {evaluation.observations} observations, "
        f"{spec.confidence:.0%} confidence, inconclusive → {spec.on_inconclusive}.",
        "",
        f"Requests by status: {show_counts(evaluation.status_totals)}.",
        "",
        *([f"Promises: {_cell(judged_by.source)}.", ""] if judged_by is not None else []),
        "| | objective | target | observed | interval | n | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in evaluation.results:
        note = result.verdict
        if result.more_samples:
            note += f", ~{result.more_samples} more samples"
        if result.regression:
            note += ", **regressed vs baseline**"
        cells = (
            _ICON[evaluation.gate_outcome(result)],
            _cell(result.label),
            _cell(result.target),
            show_value(result.observed, result.unit),
            show_interval(result),
            str(result.samples),
            note,
        )
        lines.append("| " + " | ".join(cells) + " |")
    if checks:
        lines += ["", "| | check | detail |", "|---|---|---|"]
        lines += [
            f"| {_ICON[c.verdict]} | {_cell(c.group)}: {_cell(c.name)} | {_cell(c.detail)} |"
            for c in checks
        ]
    if judged_by is not None and judged_by.not_judged:
        lines += ["", "| | not judged | why |", "|---|---|---|"]
        lines += [
            f"| ➖ | {_cell(n.group)}: {_cell(n.name)} | {_cell(n.reason)} |"
            for n in judged_by.not_judged
        ]
    return "\n".join(lines) + "\n"


def show_counts(counts: Mapping[str, int]) -> str:
    """`{"success": 156, "partial": 44}` as "success 156, partial 44" (largest first)."""
    if not counts:
        return "none"
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} {count}" for name, count in ordered)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
