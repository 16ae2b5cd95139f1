"""What a suite run shows on the terminal: live progress, then a compact verdict.

Made for an 80-column CI log: no line is wider than the console, one line per row (long
text is cut with an ellipsis), and the details live in the report files. The one exception
is why a check did not pass: that reason is printed whole, wrapped over several lines.

- On a terminal, each scenario gets a live line: its phase, the status mix so far and the
  time left. Without one (output piped), one line per scenario as it ends.
- At the end: one row per scenario, the objectives of the SLO, the checks that failed
  (all of them with `verbose`), and the gate's verdict.

Every text from data goes in as `Text`, never as markup: a check named `status [fault]`
keeps its phase tag.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from scenarios.spec.model import Scenario
from slo import Check, Evaluation, JudgedBy, Verdict, overall_verdict
from slo.formatting import judged_by as slo_judged_by
from slo.formatting import no_data_lines
from slo.healthy_regression import ALL_INTENTS
from vocabulary import STATUSES

from .experiment import ScenarioResult

STYLE = {"pass": "green", "warn": "yellow", "inconclusive": "yellow", "fail": "bold red"}
STATUS_MARKS = {"success": "ok", "partial": "part", "degraded": "degr", "failed": "fail"}


class SuiteProgress:
    """The live view of a run; `done()` prints the line a log keeps for each scenario."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=10),
            TextColumn("{task.fields[phase]:<8} {task.fields[mix]}"),
            TextColumn("{task.fields[left]}"),
            console=console,
            disable=not console.is_terminal,
            transient=True,
        )
        self._task: TaskID | None = None
        self._counts: Counter[str] = Counter()
        self._expected: int | None = None
        self._planned_end: float | None = None
        self._started = 0.0

    def __enter__(self) -> SuiteProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.__exit__(None, None, None)

    def start(self, scenario: Scenario) -> None:
        self._counts = Counter()
        self._started = time.monotonic()
        self._expected = expected_requests(scenario)
        method_s = scenario.method_s
        self._planned_end = self._started + method_s if method_s is not None else None
        self._task = self._progress.add_task(
            fit(scenario.name, 26).ljust(26), total=self._expected, phase="", mix="", left=""
        )

    def observed(self, status: str, phase: str) -> None:
        self._counts[status] += 1
        if self._task is not None:
            self._progress.update(
                self._task, advance=1, phase=phase, mix=mix_text(self._counts), left=self._left()
            )

    def refresh(self) -> None:
        """Draw the live line now (it is otherwise redrawn a few times a second)."""
        self._progress.refresh()

    def done(self, result: ScenarioResult) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
        self.console.print(scenario_line(result), no_wrap=True, overflow="ellipsis")

    def _left(self) -> str:
        now = time.monotonic()
        if self._planned_end is not None:
            return f"{max(self._planned_end - now, 0):.0f}s left"
        done = sum(self._counts.values())
        if self._expected and done:
            rate = done / max(now - self._started, 1e-3)
            return f"{max(self._expected - done, 0) / rate:.0f}s left"
        return ""


def expected_requests(scenario: Scenario) -> int | None:
    """How many requests the scenario will send, when that is known in advance."""
    steady = 2 * scenario.steady_state.requests if scenario.steady_state else 0
    workload = scenario.workload
    if workload.requests is not None:
        return workload.requests + steady
    if workload.duration is not None and workload.rate is not None:
        return round(workload.duration * workload.rate) + steady
    return None


def mix_text(counts: Counter[str]) -> str:
    """`ok 61 part 54`: the statuses seen so far, in the status order, zeros left out."""
    return " ".join(f"{STATUS_MARKS[s]} {counts[s]}" for s in STATUSES if counts[s])


def scenario_line(result: ScenarioResult) -> Text:
    line = Text(f"{fit(result.scenario.name, 28):<28} ")
    if result.scenario.not_applicable is not None:  # it never ran: nothing held or failed
        line.append("n/a   ", style="dim")
        return line.append(f" not applicable: {result.scenario.not_applicable}")
    held = sum(check.passed for check in result.checks)
    verdict = ("held", "green") if result.passed else ("FAILED", "bold red")
    if not result.passed and not any(check.verdict is Verdict.FAIL for check in result.checks):
        verdict = ("??", STYLE["inconclusive"])  # nothing failed: undecided, as its checks say
    counts = Counter(o.observation.status for o in result.outcomes)
    line.append(f"{verdict[0]:<6}", style=verdict[1])
    line.append(
        f" {held}/{len(result.checks)} checks {result.ended - result.started:>4.0f}s"
        f" {len(result.outcomes):>5} req: {mix_text(counts)}"
    )
    return line


def print_summary(
    results: Sequence[ScenarioResult],
    evaluation: Evaluation,
    checks: Sequence[Check],
    console: Console,
    *,
    verbose: bool = False,
    judged_by: JudgedBy | None = None,
) -> None:
    """The verdict table: scenarios, objectives, failed checks (every check if verbose),
    which promises judged the run and what they left unjudged."""
    width = console.width
    if len(results) > 1 or (results and verbose):
        console.print(scenario_table(results, width=width))
    console.print(objective_table(evaluation, verbose=verbose, width=width))
    for line in [slo_judged_by(evaluation.spec), *no_data_lines(evaluation.no_data)]:
        console.print(Text(line, style="dim"), overflow="fold")  # a long path wraps
    for result in evaluation.results:
        if result.regression:  # against the baseline: said in words, one line each
            line = Text(f"regressed: {result.label}: {result.regression_detail}", style="red")
            console.print(line, no_wrap=True, overflow="ellipsis")
    for line, style in healthy_lines(evaluation, verbose=verbose):
        console.print(Text(line, style=style), no_wrap=True, overflow="ellipsis")
    shown = [c for c in checks if verbose or not c.passed]
    if shown:
        title = "Checks" if verbose else "Checks not passed"
        outcomes = [evaluation.check_outcome(check) for check in shown]
        console.print(check_table(shown, outcomes, title=title, width=width))
    if judged_by is not None:
        print_judged_by(judged_by, console)
    verdict = overall_verdict(evaluation, checks)
    held = sum(check.passed for check in checks)
    line = Text("gate: ")
    line.append(verdict.upper(), style=STYLE.get(verdict, ""))
    if checks:
        line.append(f"  {held}/{len(checks)} checks held")
    if judged_by is not None and judged_by.not_judged:
        line.append(f", {len(judged_by.not_judged)} not judged")
    line.append("" if verbose else "; details in report.md, or --verbose")
    console.print(line, no_wrap=True, overflow="ellipsis")


SHOWN_REGRESSIONS = 3  # scenario lines a regressed measure shows; every one is in report.json


def healthy_lines(evaluation: Evaluation, *, verbose: bool) -> list[tuple[str, str]]:
    """The healthy phase against --baseline: one line if it held, else each regressed
    measure and the scenarios that got worse (the first few unless verbose)."""
    comparison = evaluation.healthy_comparison
    if comparison is None:
        return []
    if not comparison.regressed:
        latency = [
            v for v in comparison.verdicts if v.shift is not None and v.intent == ALL_INTENTS
        ]
        shifts = ", ".join(f"{v.measure} {round(100 * (v.shift - 1)) + 0:+d} %" for v in latency)
        pooled = f": {shifts} over {latency[0].scenarios} scenario-intents" if latency else ""
        return [(f"healthy phase held against the baseline{pooled}", "dim")]
    lines: list[tuple[str, str]] = []
    for verdict in (v for v in comparison.verdicts if v.regressed):
        lines.append((f"regressed: healthy {verdict.summary}", "red"))
        cells = verdict.lines()
        shown = cells if verbose else cells[:SHOWN_REGRESSIONS]
        lines += [(f"  {line}", "red") for line in shown]
        if len(shown) < len(cells):
            lines.append((f"  ... and {len(cells) - len(shown)} more in report.json", "red"))
    return lines


def print_judged_by(judged_by: JudgedBy, console: Console) -> None:
    """`promises: FILE`, then one line per expectation not judged, and why."""
    console.print(f"promises: {judged_by.source}", soft_wrap=True, highlight=False, markup=False)
    for entry in judged_by.not_judged:
        line = Text(f"not judged: {entry.group}: {entry.name}: {entry.reason}", style="dim")
        console.print(line, no_wrap=True, overflow="ellipsis")


def scenario_table(results: Sequence[ScenarioResult], *, width: int = 80) -> Table:
    table = _table("Scenarios")
    numbers = ("req", *(STATUS_MARKS[s] for s in STATUSES), "checks", "wall")
    name_width = max(width - 6 * len(numbers) - 2 * len(numbers), 12)
    table.add_column("scenario", width=name_width, no_wrap=True, overflow="ellipsis")
    for header in numbers:
        table.add_column(header, width=6, justify="right", no_wrap=True)
    for result in results:
        counts = Counter(o.observation.status for o in result.outcomes)
        held = sum(check.passed for check in result.checks)
        table.add_row(
            Text(result.scenario.name),
            str(len(result.outcomes)),
            *(str(counts[s]) for s in STATUSES),
            Text(f"{held}/{len(result.checks)}", style="green" if result.passed else "bold red"),
            f"{result.ended - result.started:.0f}s",
        )
    return table


def objective_table(evaluation: Evaluation, *, verbose: bool, width: int = 80) -> Table:
    title = f"SLO {evaluation.spec.name}: {evaluation.matched} observations"
    table = _table(title)
    fixed = {"verdict": 12, "observed": 10, "target": 14, "n": 6}
    objective_width = max(width - sum(fixed.values()) - 2 * len(fixed), 12)
    table.add_column("verdict", width=fixed["verdict"], no_wrap=True)
    table.add_column("objective", width=objective_width, no_wrap=True, overflow="ellipsis")
    table.add_column("observed", width=fixed["observed"], justify="right", no_wrap=True)
    table.add_column("target", width=fixed["target"], no_wrap=True, overflow="ellipsis")
    table.add_column("n", width=fixed["n"], justify="right", no_wrap=True)
    for result in evaluation.results:
        outcome = evaluation.gate_outcome(result)
        if not verbose and outcome == "pass" and len(evaluation.results) > 12:
            continue  # a long SLO keeps to what needs attention; --verbose shows all
        table.add_row(
            Text(result.verdict, style=STYLE.get(outcome, "")),
            Text(result.label),
            _observed(result.observed, result.unit),
            Text(result.target),
            str(result.samples),
        )
    return table


def check_table(
    checks: Sequence[Check], outcomes: Sequence[str], *, title: str, width: int = 80
) -> Table:
    """One row per check, marked by what it means for the gate (`outcomes`: pass | warn |
    fail, as `Evaluation.check_outcome` says); the scenario's name only when checks come
    from several."""
    groups = {check.group for check in checks}
    if len(groups) == 1:
        title = f"{title} of {next(iter(groups))}"
    names = [check.name if len(groups) == 1 else f"{check.group}: {check.name}" for check in checks]
    table = _table(title)
    check_width = min(max(len(name) for name in names), 44)
    detail_width = max(width - 4 - check_width - 4, 10)
    table.add_column("", width=4, no_wrap=True)
    table.add_column("check", width=check_width, no_wrap=True, overflow="ellipsis")
    table.add_column("detail", width=detail_width)
    for check, name, outcome in zip(checks, names, outcomes, strict=True):
        table.add_row(_MARKS[check.verdict, outcome], Text(name), _reason(check))
    return table


def _reason(check: Check) -> Text:
    """What a check observed: whole when it did not pass (it is what the reader came for,
    wrapped over as many lines as it takes), one line cut short when it passed."""
    if check.passed:
        return Text(check.detail, no_wrap=True, overflow="ellipsis")
    return Text(check.detail, overflow="fold")


# A check's mark: its verdict, coloured by what it means for the gate ("??": undecided).
_MARKS = {
    ("pass", "pass"): Text("ok", style="green"),
    ("fail", "fail"): Text("FAIL", style="bold red"),
    ("inconclusive", "warn"): Text("??", style=STYLE["inconclusive"]),
    ("inconclusive", "fail"): Text("??", style="bold red"),
}


def fit(text: str, width: int) -> str:
    """`text` cut to `width` characters, the cut shown by an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _observed(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "ms":
        return f"{value:,.0f} ms"
    return f"{value:.1f} {unit}".strip()


def _table(title: str) -> Table:
    return Table(
        title=title,
        title_justify="left",
        box=None,
        pad_edge=False,
        padding=(0, 1),
        expand=False,
        show_edge=False,
        header_style="bold",
    )
