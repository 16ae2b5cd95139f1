"""The end of a load run as a CI log shows it: 80 columns, no terminal, one line per row."""

from __future__ import annotations

import io
import random
from pathlib import Path

from rich.console import Console

from slo import Check, Verdict, evaluate, load_slo_file, print_load_summary
from slo.request_figures import RequestFigures, request_figures
from vocabulary import Observation
from vocabulary.segment_writer import SegmentWriter

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


def _figures(observations: list[Observation], folder: Path) -> RequestFigures:
    """The summary's figures of `observations`, recorded as a run records them."""
    with SegmentWriter(folder, rows_per_segment=400) as segments:  # a few segments
        segments.extend(sorted(observations, key=lambda o: o.ts))
    return request_figures(sorted(folder.glob("*.parquet")))


def _printed(observations: list[Observation], checks: list[Check], folder: Path) -> list[str]:
    evaluation = evaluate(observations, load_slo_file(EXAMPLES / "load.yaml"))
    stream = io.StringIO()
    console = Console(file=stream, width=80, force_terminal=False, color_system=None)
    print_load_summary(_figures(observations, folder), evaluation, checks, console)
    return stream.getvalue().splitlines()


def test_a_passing_load_fits_a_ci_log_with_quantiles_intents_and_one_line_per_objective(
    tmp_path: Path,
) -> None:
    lines = _printed(
        _observations(partial_share=0.01),
        [Check("load", "no request lost", Verdict.PASS)],
        tmp_path,
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


def test_a_failing_load_names_its_top_error_codes_and_prints_a_failed_check_whole(
    tmp_path: Path,
) -> None:
    reason = "900 merged observations, but Locust counted 912: " + "worker-1 12 missing " * 6
    lines = _printed(
        _observations(partial_share=0.3),
        [Check("load", "no request lost", Verdict.FAIL, reason)],
        tmp_path,
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


def test_top_errors_count_tool_and_code_most_frequent_first(tmp_path: Path) -> None:
    observations = _observations(partial_share=0.2, count=50)
    observations.append(
        Observation(
            ts=0, scenario="x", status="failed", latency_ms=1, tool_errors={"metrics": "timeout"}
        )
    )
    [(label, count), (other, one)] = _figures(observations, tmp_path).top_errors
    assert label == "direct_query concurrency_limit" and count > 1
    assert (other, one) == ("metrics timeout", 1)


def _latencies(values: list[float]) -> list[Observation]:
    rng = random.Random(5)
    shuffled = rng.sample(values, len(values))  # the order of arrival is not the order of size
    return [
        Observation(ts=float(i), scenario="x", status="success", latency_ms=v, intent="i")
        for i, v in enumerate(shuffled)
    ]


def test_percentile_is_nearest_rank(tmp_path: Path) -> None:
    hundred = _figures(_latencies([float(n) for n in range(1, 101)]), tmp_path / "hundred")
    assert hundred.latency_ms[0.5] == 50 and hundred.latency_ms[0.99] == 99
    assert hundred.max_latency_ms == 100
    assert hundred.intents[0].latency_ms == {0.5: 50, 0.95: 95, 0.99: 99}
    one = _figures(_latencies([7.0]), tmp_path / "one")
    assert one.latency_ms[0.95] == 7 and one.intents[0].latency_ms[0.95] == 7
