"""The terminal table (rich)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .formatting import judged_by, no_data_lines, show_interval, show_note, show_value
from .results import Check, Evaluation
from .verdict import overall_verdict

_STYLE = {"pass": "green", "warn": "yellow", "inconclusive": "yellow", "fail": "bold red"}


def print_report(
    evaluation: Evaluation, checks: Sequence[Check] = (), console: Console | None = None
) -> None:
    console = console or Console()
    table = Table(
        title=f"SLO {evaluation.spec.name} ({evaluation.matched} observations, "
        f"{evaluation.spec.confidence:.0%} confidence)"
    )
    # A verdict and a count are never broken ("inconclusi/ve" at 80 columns); the note, the
    # longest text, takes what width is left.
    table.add_column("verdict", no_wrap=True, min_width=len("inconclusive"))
    for column in ("objective", "target", "observed", "interval"):
        table.add_column(column, overflow="fold")
    table.add_column("n", no_wrap=True, justify="right")
    table.add_column("note", overflow="fold")
    for result in evaluation.results:
        outcome = evaluation.gate_outcome(result)
        table.add_row(
            f"[{_STYLE[outcome]}]{result.verdict}[/]",
            escape(result.label),
            result.target,
            show_value(result.observed, result.unit),
            show_interval(result),
            str(result.samples),
            show_note(result),
        )
    for check in checks:
        outcome = check.verdict
        table.add_row(
            f"[{_STYLE[outcome]}]{outcome}[/]",
            escape(f"{check.group}: {check.name}"),  # "status [fault]" is not markup
            "",
            "",
            "",
            "",
            escape(check.detail),
        )
    console.print(table)
    for line in [judged_by(evaluation.spec), *no_data_lines(evaluation.no_data)]:
        console.print(escape(line), overflow="fold")
    verdict = overall_verdict(evaluation, checks)
    console.print(f"gate: [{_STYLE[verdict]}]{verdict.upper()}[/]")
