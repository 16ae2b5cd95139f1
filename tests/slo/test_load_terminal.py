"""The end of a load run as a CI log shows it: 80 columns, no terminal, one line per row."""

from __future__ import annotations

import io
import random
from pathlib import Path

from rich.console import Console

from slo import Check, Verdict, evaluate, load_slo_file, print_load_summary
from slo.error_tally import top_errors
from slo.report_load_terminal import percentile
from vocabulary import Observation

EXAMPLES = Path(__file__).resolve().parents[2] / "slo" / "examples"

INTENTS = ("service_overview", "incident_triage")


def _observations(*, partial_share: float, count: int = 900) -> list[Observation]:
    rng = random.Random(11)
    observations = []
    for index in range(count):
        partial = rng.random() < partial_share
        observations.append(
            Observation(
                ts=1_760_000_000 + index * 0.05,
                source="load",
                scenario="spike",
                intent=INTENTS[index % 4 == 0],
                status="partial" if partial else "success",
                latency_ms=rng.uniform(20, 400),
                tool_errors={"direct_query": "concurrency_limit"} if partial else {},
            )
        )
    return observations


def _printed(observations: list[Observation], checks: list[Check]) -> list[str]:
    evaluation = evaluate(observations, load_slo_file(EXAMPLES / "load.yaml"))
    stream = io.StringIO()
    console = Console(file=stream, width=80, force_terminal=False, color_system=None)
    print_load_summary(observations, evaluation, checks, console)
    return stream.getvalue().splitlines()


def test_a_passing_load_fits_a_ci_log_with_quantiles_intents_and_one_line_per_objective() -> None:
    lines = _printed(
        _observations(partial_share=0.01), [Check("load", "no request lost", Verdict.PASS)]
    )
    text = "\n".join(lines)
    assert len(lines) <= 30 and max(map(len, lines)) <= 80, text
    assert lines[0].startswith("900 requests in ") and "req/s" in lines[0]
    for quantile in ("p50 ", "p90 ", "p95 ", "p99 "):
        assert quantile in lines[1], text
    assert "success " in lines[2]
    for intent in INTENTS:
        assert sum(line.startswith(intent) for line in lines) == 1, text
    marks = [line[0] for line in lines if line[:2] in ("✓ ", "✗ ", "? ")]
    assert len(marks) == len(load_slo_file(EXAMPLES / "load.yaml").objectives), text
    assert lines[-1].startswith("gate: ") and "1/1 checks held" in lines[-1]


def test_a_failing_load_names_its_top_error_codes_and_prints_a_failed_check_whole() -> None:
    reason = "900 merged observations, but Locust counted 912: " + "worker-1 12 missing " * 6
    lines = _printed(
        _observations(partial_share=0.3), [Check("load", "no request lost", Verdict.FAIL, reason)]
    )
    text = "\n".join(lines)
    assert max(map(len, lines)) <= 80, text
    assert lines[-1].startswith("gate: FAIL"), text
    assert "top errors: direct_query concurrency_limit" in lines[-1]
    assert any(line.split()[:2] == ["✗", "partial"] for line in lines), text
    # wrapped to the width, never cut: every word of the reason is there
    assert (
        reason.split()
        == " ".join(lines).split("no request lost: ")[1].split()[: len(reason.split())]
    )


def test_top_errors_count_tool_and_code_most_frequent_first() -> None:
    observations = _observations(partial_share=0.2, count=50)
    observations.append(
        Observation(
            ts=0, scenario="x", status="failed", latency_ms=1, tool_errors={"metrics": "timeout"}
        )
    )
    [(label, count), (other, one)] = top_errors(observations)
    assert label == "direct_query concurrency_limit" and count > 1
    assert (other, one) == ("metrics timeout", 1)


def test_percentile_is_nearest_rank() -> None:
    ordered = [float(n) for n in range(1, 101)]
    assert percentile(ordered, 0.5) == 50 and percentile(ordered, 0.99) == 99
    assert percentile([7.0], 0.95) == 7
