"""The end of a load run on the terminal: short enough for a CI log, fitted to its width.

    774 requests in 20.9 s, 37.0 req/s
      latency   p50 99 ms  p90 180 ms  p95 232 ms  p99 379 ms  max 610 ms
      status    success 751 97.0%  partial 16 2.1%  degraded 6 0.8%  failed 1 0.1%
      errors    direct_query timeout 17, metrics unavailable 3

    intent                requests   not ok        p50      p95      p99
    service_overview           580    2.1%       90 ms   210 ms   350 ms

    SLO load (slo/examples/load.yaml, the default of gauntlet load), 95% confidence
    ✓ partial                                      2.1%  <= 5%            n 774
    ? degraded                                     0.8%  <= 1%            n 774
    gate: INCONCLUSIVE  5/5 checks held

One line per objective (✓ held, ✗ breached, ? undecided); a check that did not hold is
printed whole, wrapped to the width, never cut. Text from data goes in as `Text`, never as
markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from vocabulary import STATUSES

from .error_tally import show_errors
from .formatting import judged_by, no_data_lines
from .request_figures import IntentFigures, RequestFigures
from .results import Check, Evaluation, ObjectiveResult
from .verdict import overall_verdict

STYLE = {"pass": "green", "warn": "yellow", "inconclusive": "yellow", "fail": "bold red"}
MARKS = {"pass": "✓", "fail": "✗", "inconclusive": "?"}


def print_load_summary(
    requests: RequestFigures,
    evaluation: Evaluation,
    checks: Sequence[Check],
    console: Console,
) -> None:
    """The request block, the per-intent table, one line per objective, then the gate.
    `requests`: `request_figures.request_figures` of the run's segments."""
    for line in request_block(requests):
        console.print(line, no_wrap=True, overflow="ellipsis")
    if requests.count:
        console.print()
        console.print(intent_table(requests.intents, width=console.width))
    console.print()
    console.print(Text(slo_heading(evaluation)), overflow="fold")
    console.print(objective_table(evaluation, width=console.width))
    for line in no_data_lines(evaluation.no_data):
        console.print(Text(line, style="dim"), overflow="fold")
    for check in checks:
        if check.verdict != "pass":  # whole, wrapped: the reason is the point
            outcome = evaluation.check_outcome(check)
            line = Text(f"{MARKS[check.verdict]} ", style=STYLE[outcome])
            line.append(f"{check.group}: {check.name}: {check.detail}")
            console.print(line)
    console.print(gate_line(evaluation, checks, requests), no_wrap=True, overflow="ellipsis")


def request_block(requests: RequestFigures) -> list[Text]:
    if not requests.count:
        return [Text("no request was answered")]
    seconds = requests.last_end - requests.first_start
    count = requests.count
    rate = f", {count / seconds:.1f} req/s" if seconds > 0 else ""
    quantiles = "  ".join(
        f"p{round(q * 100)} {_ms(value)}" for q, value in requests.latency_ms.items()
    )
    statuses = requests.statuses
    mix = "  ".join(
        f"{status} {statuses[status]} {statuses[status] / count:.1%}"
        for status in STATUSES
        if statuses.get(status)
    )
    return [
        Text(f"{count} requests in {seconds:.1f} s{rate}"),
        Text(f"  latency   {quantiles}  max {_ms(requests.max_latency_ms)}"),
        Text(f"  status    {mix}"),
        Text(f"  errors    {show_errors(requests.top_errors)}"),
    ]


def intent_table(intents: Sequence[IntentFigures], *, width: int = 80) -> Table:
    """Per intent (Locust's per-request-type table): requests, not-success share, latency."""
    table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
    numbers = ("requests", "not ok", "p50", "p95", "p99")
    name_width = max(width - 9 * len(numbers) - 2 * len(numbers), 12)
    table.add_column("intent", width=name_width, no_wrap=True, overflow="ellipsis")
    for header in numbers:
        table.add_column(header, width=9, justify="right", no_wrap=True)
    for intent in intents:  # most requests first
        not_ok = intent.not_ok
        table.add_row(
            Text(intent.intent),
            str(intent.requests),
            f"{not_ok} {not_ok / intent.requests:.0%}" if not_ok else "0",
            *(_ms(value) for value in intent.latency_ms.values()),
        )
    return table


def slo_heading(evaluation: Evaluation) -> str:
    spec = evaluation.spec
    return (
        f"{judged_by(spec)}: {evaluation.matched} observations, "
        f"{spec.confidence:.0%} confidence, inconclusive counts as {spec.on_inconclusive}"
    )


def objective_table(evaluation: Evaluation, *, width: int = 80) -> Table:
    """`✓ p95 latency   232 ms  p95 <= 600 ms  774`: one row per objective, cut, never wrapped."""
    table = Table(box=None, pad_edge=False, padding=(0, 1), show_header=False)
    fixed = {"mark": 1, "observed": 8, "target": 15, "n": 6, "more": 11}
    name_width = max(width - sum(fixed.values()) - 2 * len(fixed), 8)
    table.add_column("mark", width=fixed["mark"], no_wrap=True)
    table.add_column("objective", width=name_width, no_wrap=True, overflow="ellipsis")
    table.add_column("observed", width=fixed["observed"], justify="right", no_wrap=True)
    table.add_column("target", width=fixed["target"], no_wrap=True, overflow="ellipsis")
    table.add_column("n", width=fixed["n"], justify="right", no_wrap=True)
    table.add_column("more", width=fixed["more"], no_wrap=True, overflow="ellipsis")
    for result in evaluation.results:
        outcome = evaluation.gate_outcome(result)
        table.add_row(
            Text(MARKS[result.verdict], style=STYLE[outcome]),
            Text(result.label),
            _observed(result),
            Text(result.target),
            f"n {result.samples}",
            f"~{result.more_samples} more" if result.more_samples else "",
        )
    return table


def gate_line(evaluation: Evaluation, checks: Sequence[Check], requests: RequestFigures) -> Text:
    verdict = overall_verdict(evaluation, checks)
    held = sum(check.verdict == "pass" for check in checks)
    line = Text("gate: ")
    line.append(verdict.upper(), style=STYLE[verdict])
    if checks:
        line.append(f"  {held}/{len(checks)} checks held")
    if verdict == "fail":
        line.append(f"; top errors: {show_errors(requests.top_errors)}")
    return line


def _observed(result: ObjectiveResult) -> str:
    if result.observed is None:
        return "no data"
    if result.unit == "ratio":
        return f"{result.observed:.1%}"
    if result.unit == "ms":
        return _ms(result.observed)
    return f"{result.observed:.0f} {result.unit}"


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"
