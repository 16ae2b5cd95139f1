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

from collections import defaultdict
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from vocabulary import STATUSES, Observation

from .error_tally import show_errors, top_errors
from .formatting import judged_by, no_data_lines
from .latency import quantile_rank
from .results import Check, Evaluation, ObjectiveResult
from .verdict import overall_verdict

STYLE = {"pass": "green", "warn": "yellow", "inconclusive": "yellow", "fail": "bold red"}
MARKS = {"pass": "✓", "fail": "✗", "inconclusive": "?"}


def print_load_summary(
    observations: Sequence[Observation],
    evaluation: Evaluation,
    checks: Sequence[Check],
    console: Console,
) -> None:
    """The request block, the per-intent table, one line per objective, then the gate."""
    for line in request_block(observations):
        console.print(line, no_wrap=True, overflow="ellipsis")
    if observations:
        console.print()
        console.print(intent_table(observations, width=console.width))
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
    console.print(gate_line(evaluation, checks, observations), no_wrap=True, overflow="ellipsis")


def request_block(observations: Sequence[Observation]) -> list[Text]:
    if not observations:
        return [Text("no request was answered")]
    seconds = max(o.ended for o in observations) - min(o.ts for o in observations)
    count = len(observations)
    rate = f", {count / seconds:.1f} req/s" if seconds > 0 else ""
    latencies = sorted(o.latency_ms for o in observations)
    quantiles = "  ".join(
        f"p{round(q * 100)} {_ms(percentile(latencies, q))}" for q in (0.5, 0.9, 0.95, 0.99)
    )
    statuses = _status_counts(observations)
    mix = "  ".join(
        f"{status} {statuses[status]} {statuses[status] / count:.1%}"
        for status in STATUSES
        if statuses[status]
    )
    return [
        Text(f"{count} requests in {seconds:.1f} s{rate}"),
        Text(f"  latency   {quantiles}  max {_ms(latencies[-1])}"),
        Text(f"  status    {mix}"),
        Text(f"  errors    {show_errors(top_errors(observations))}"),
    ]


def intent_table(observations: Sequence[Observation], *, width: int = 80) -> Table:
    """Per intent (Locust's per-request-type table): requests, not-success share, latency."""
    by_intent: dict[str, list[Observation]] = defaultdict(list)
    for observation in observations:
        by_intent[observation.intent or "-"].append(observation)
    table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="bold")
    numbers = ("requests", "not ok", "p50", "p95", "p99")
    name_width = max(width - 9 * len(numbers) - 2 * len(numbers), 12)
    table.add_column("intent", width=name_width, no_wrap=True, overflow="ellipsis")
    for header in numbers:
        table.add_column(header, width=9, justify="right", no_wrap=True)
    for intent, rows in sorted(by_intent.items(), key=lambda item: -len(item[1])):
        latencies = sorted(o.latency_ms for o in rows)
        not_ok = sum(o.status != "success" for o in rows)
        table.add_row(
            Text(intent),
            str(len(rows)),
            f"{not_ok} {not_ok / len(rows):.0%}" if not_ok else "0",
            *(_ms(percentile(latencies, q)) for q in (0.5, 0.95, 0.99)),
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


def gate_line(
    evaluation: Evaluation, checks: Sequence[Check], observations: Sequence[Observation]
) -> Text:
    verdict = overall_verdict(evaluation, checks)
    held = sum(check.verdict == "pass" for check in checks)
    line = Text("gate: ")
    line.append(verdict.upper(), style=STYLE[verdict])
    if checks:
        line.append(f"  {held}/{len(checks)} checks held")
    if verdict == "fail":
        line.append(f"; top errors: {show_errors(top_errors(observations))}")
    return line


def percentile(ordered: Sequence[float], quantile: float) -> float:
    """Nearest-rank percentile of an already sorted, non-empty sequence: the same sample a
    latency objective reads."""
    rank = quantile_rank(quantile, len(ordered))
    return ordered[min(rank, len(ordered)) - 1]


def _status_counts(observations: Sequence[Observation]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for observation in observations:
        counts[observation.status] = counts.get(observation.status, 0) + 1
    return counts


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
