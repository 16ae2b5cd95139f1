"""The OpenSLO specification's own example documents, read with their published meaning.

Each document in `openslo_examples/` is the specification's, unchanged; only its metric
queries (`query: Any`, or a Datadog query) are put in Gauntlet's convention before use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from scenarios import exit_codes
from scenarios.cli.app import app
from slo.evaluation import evaluate
from slo.loader import SloFileError, load_slo_file
from slo.results import ObjectiveResult
from vocabulary import Observation, Phase, write_observations

EXAMPLES = Path(__file__).parent / "openslo_examples"
QUERIES = {
    "good": "status in (success, partial, degraded)",
    "bad": "status == failed",
    "total": "all",
    "thresholdMetric": "latency_ms",
}
START = 1_700_000_000.0


def with_gauntlet_queries(name: str, tmp_path: Path, **spec_changes: Any) -> Path:
    """The example `name` with each metric query in Gauntlet's convention (and `spec_changes`
    set on its SLO's spec), written to `tmp_path`."""
    documents = list(yaml.safe_load_all((EXAMPLES / name).read_text()))

    def put_queries(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in QUERIES and isinstance(value, dict) and "metricSource" in value:
                    value["metricSource"]["spec"]["query"] = QUERIES[key]
                put_queries(value)

    for document in documents:
        put_queries(document)
        if document.get("kind") == "SLO":
            document["spec"].update(spec_changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return path


def slices(*minutes: tuple[int, int], latency_ms: float = 50.0) -> Iterator[Observation]:
    """One minute per (requests, failed): requests evenly spread over it, the failed first."""
    for minute, (requests, failed) in enumerate(minutes):
        for index in range(requests):
            yield Observation(
                ts=START + minute * 60 + index * (60 / requests),
                scenario="s",
                phase=Phase.BASELINE,
                status="failed" if index < failed else "success",
                latency_ms=latency_ms,
                intent="lookup",
            )


def result(name: str, tmp_path: Path, observations: Iterator[Observation]) -> ObjectiveResult:
    spec = load_slo_file(with_gauntlet_queries(name, tmp_path))
    (only,) = evaluate(observations, spec).results
    return only


def verdicts(name: str, tmp_path: Path, observations: Iterator[Observation]) -> dict[str, str]:
    spec = load_slo_file(with_gauntlet_queries(name, tmp_path))
    return {r.name: r.verdict for r in evaluate(observations, spec).results}


# --- examples/budgeting-method/timeslices-slo.yaml ------------------------------------------
# "99% of minutes have 90% of successful requests": a minute is good when its ratio reaches
# timeSliceTarget (0.99); objective "Internal objective" needs 99.5% good minutes, "SLA" 99%.
TIMESLICES = "budgeting-method-timeslices-slo.yaml"
INTERNAL, SLA = "service-availability: Internal objective", "service-availability: SLA"


def test_timeslices_example_maps_target_to_the_share_of_good_slices(tmp_path: Path) -> None:
    internal, sla = load_slo_file(with_gauntlet_queries(TIMESLICES, tmp_path)).objectives
    assert (internal.budgeting, internal.slice_s) == ("timeslices", 60.0)
    assert (internal.min, internal.good_slices) == (0.99, 0.995)  # timeSliceTarget, target
    assert (sla.min, sla.good_slices) == (0.99, 0.99)


def test_timeslices_example_passes_when_every_minute_meets_the_slice_target(
    tmp_path: Path,
) -> None:
    # every minute 124/125 = 99.2% good: each slice meets 0.99, so 100% of slices are good
    # (the former reading, target 0.995 per sliding window, left it inconclusive: a gate FAIL)
    observed = verdicts(TIMESLICES, tmp_path, slices(*[(125, 1)] * 30))
    assert observed == {INTERNAL: "pass", SLA: "pass"}


def test_timeslices_example_is_judged_per_minute_not_per_request(tmp_path: Path) -> None:
    # 100 minutes of 100 requests; one minute has 5 failures (95% < 99%): 99/100 good minutes.
    # Per request this is 99.95% good, yet the internal objective (99.5% of minutes) fails
    # while the SLA (99% of minutes) holds.
    minutes = [(100, 0)] * 99 + [(100, 5)]
    observed = verdicts(TIMESLICES, tmp_path, slices(*minutes))
    assert observed == {INTERNAL: "fail", SLA: "pass"}
    spec = load_slo_file(with_gauntlet_queries(TIMESLICES, tmp_path))
    internal = next(r for r in evaluate(slices(*minutes), spec).results if r.name == INTERNAL)
    assert internal.observed == pytest.approx(0.99)
    assert "99/100 slices of 60 s good" in internal.detail


# --- examples/treat-low-traffic-as-equally-important/timeslices-slo.yaml --------------------
# "a minute will be marked as bad ... when just only 5 requests fail and total number of
# requests is less than 100 in that minute" (timeSliceTarget 0.95, target 0.9995).
LOW_TRAFFIC = "treat-low-traffic-timeslices-slo.yaml"


def test_low_traffic_example_counts_a_quiet_bad_minute_like_a_busy_one(tmp_path: Path) -> None:
    quiet = [(20, 0)] * 1998
    # 5 failures in a busy minute of 1000 requests: 99.5% >= 95%, the minute is good
    busy = result(LOW_TRAFFIC, tmp_path, slices(*quiet, (1000, 5), (20, 0)))
    assert busy.verdict == "pass" and busy.observed == 1.0
    # the same 5 failures in a quiet minute of 99 requests: 94.9% < 95%, a bad minute;
    # two such minutes of 2000 (99.9% good) exceed the 0.05% allowance, with fewer failures
    quiet_bad = result(LOW_TRAFFIC, tmp_path, slices(*quiet, (99, 5), (99, 5)))
    assert quiet_bad.verdict == "fail" and quiet_bad.observed == pytest.approx(0.999)


# --- examples/budgeting-method/ratio-timeslices.yaml ----------------------------------------
# "Method uses an average of all time slices' success ratios": a short burst of failures in
# one minute weighs one minute, not its share of requests (target 0.99, 1m slices).
RATIO_TIMESLICES = "budgeting-method-ratio-timeslices.yaml"


def test_ratio_timeslices_example_averages_the_minutes(tmp_path: Path) -> None:
    # 99 calm minutes of 10 good requests, one attacked minute with 1000 of 2000 failed:
    # 1990/2990 good requests (66.6%), but the mean of minute ratios is 99.5% >= 99%
    attacked = result(RATIO_TIMESLICES, tmp_path, slices(*[(10, 0)] * 99, (2000, 1000)))
    assert attacked.verdict == "pass"
    assert attacked.observed == pytest.approx((99 + 0.5) / 100)
    assert "over 100 slices of 60 s" in attacked.detail


def test_ratio_timeslices_example_fails_when_the_mean_falls_short(tmp_path: Path) -> None:
    # 30 of 100 minutes at 95%: mean 98.5% < 99%
    worse = result(RATIO_TIMESLICES, tmp_path, slices(*[(100, 0)] * 70, *[(100, 5)] * 30))
    assert worse.verdict == "fail" and worse.observed == pytest.approx(0.985)


def test_ratio_timeslices_slices_do_not_overlap(tmp_path: Path) -> None:
    # 3 minutes: 100% good, 90% good, 100% good. Non-overlapping slices give the mean
    # (1 + 0.9 + 1) / 3; sliding windows would count the bad minute in several windows.
    thirds = result(RATIO_TIMESLICES, tmp_path, slices((100, 0), (100, 10), (100, 0)))
    assert thirds.observed == pytest.approx(2.9 / 3) and "over 3 slices" in thirds.detail


# --- examples/budgeting-method/occurences-slo.yaml ------------------------------------------
# "it never should be more than 500ms": searches under 500 ms, 99% of them (Occurrences).
OCCURRENCES = "budgeting-method-occurences-slo.yaml"


def test_occurrences_example_is_a_p99_latency_bound(tmp_path: Path) -> None:
    spec = load_slo_file(with_gauntlet_queries(OCCURRENCES, tmp_path))
    (objective,) = spec.objectives
    assert (objective.latency, objective.max_ms, objective.budgeting) == (
        "p99",
        500.0,
        "occurrences",
    )
    fast = result(OCCURRENCES, tmp_path, slices(*[(100, 0)] * 10, latency_ms=120))
    slow = result(OCCURRENCES, tmp_path, slices(*[(100, 0)] * 10, latency_ms=800))
    assert (fast.verdict, slow.verdict) == ("pass", "fail")


# --- the README's examples ------------------------------------------------------------------


def test_readme_inline_example_is_refused_for_its_missing_budgeting_method() -> None:
    # The README's inline-SLI example has no budgetingMethod, which the spec requires.
    with pytest.raises(SloFileError) as caught:
        load_slo_file(EXAMPLES / "readme-inline-sli-slo.yaml")
    assert str(caught.value) == (
        f"{EXAMPLES / 'readme-inline-sli-slo.yaml'}:7: field 'spec.budgetingMethod': "
        "required field is missing"
    )


def test_readme_inline_example_with_a_budgeting_method_reads_target_as_a_floor(
    tmp_path: Path,
) -> None:
    path = with_gauntlet_queries(
        "readme-inline-sli-slo.yaml", tmp_path, budgetingMethod="Occurrences"
    )
    (objective,) = load_slo_file(path).objectives
    assert (objective.name, objective.min) == ("foo-slo", 0.98)
    spec = load_slo_file(path)
    healthy = evaluate(slices(*[(100, 1)] * 100), spec).results[0]
    broken = evaluate(slices(*[(100, 5)] * 100), spec).results[0]
    assert (healthy.verdict, broken.verdict) == ("pass", "fail")


def test_readme_alert_policy_is_accepted_and_listed_as_not_evaluated(tmp_path: Path) -> None:
    slo = with_gauntlet_queries(
        OCCURRENCES, tmp_path, alertPolicies=[{"alertPolicyRef": "AlertPolicy"}]
    )
    combined = tmp_path / "with-policy.yaml"
    combined.write_text(
        slo.read_text() + "---\n" + (EXAMPLES / "readme-alert-policy.yaml").read_text()
    )
    spec = load_slo_file(combined)
    assert spec.not_evaluated == [
        "AlertPolicy 'AlertPolicy'",
        "SLO 'search-slo': alertPolicies (1)",
    ]


def test_verbatim_example_names_the_query_it_cannot_read() -> None:
    with pytest.raises(SloFileError) as caught:
        load_slo_file(EXAMPLES / OCCURRENCES)
    assert str(caught.value).endswith(
        ":19: field 'spec.indicator.spec.thresholdMetric.metricSource.spec.query': "
        "expected 'latency_ms', got 'Any'"
    )


def test_v2alpha_schema_is_named_and_refused() -> None:
    with pytest.raises(SloFileError) as caught:
        load_slo_file(EXAMPLES / "v2alpha-slo-schema.yaml")
    assert str(caught.value) == (
        f"{EXAMPLES / 'v2alpha-slo-schema.yaml'}:1: field 'apiVersion': an OpenSLO v2alpha "
        "document; the gate reads OpenSLO v1 ('apiVersion: openslo/v1') or its own SLO file "
        "format"
    )


def test_gate_judges_the_timeslices_example_and_writes_its_reports(tmp_path: Path) -> None:
    observations = tmp_path / "observations.jsonl"
    with observations.open("w") as stream:
        write_observations(stream, slices(*[(100, 0)] * 99, (100, 5)))
    slo = with_gauntlet_queries(TIMESLICES, tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["gate", str(observations), "--slo", str(slo), "--out", str(out)]
    )
    assert result.exit_code == exit_codes.FAILED, result.output
    report = json.loads((out / "report.json").read_text())
    judged = {o["name"]: (o["verdict"], o["observed"]) for o in report["objectives"]}
    assert judged == {INTERNAL: ("fail", 0.99), SLA: ("pass", 0.99)}
    assert (out / "junit.xml").exists() and (out / "report.html").exists()
