import itertools
import math

import pytest
from conftest import synthetic

from slo.evaluation import evaluate
from slo.spec import SloSpec
from slo.verdict import overall_verdict, verdict_exit_code
from vocabulary import Observation, Phase

GATE = {
    "min_samples": 30,
    "objectives": [
        {"name": "failed", "ratio": "failed", "max": 0.05},
        {"name": "answered", "ratio": "answered", "min": 0.9},
        {"name": "p95", "latency": "p95", "max_ms": 400},
    ],
}


def spec(**changes: object) -> SloSpec:
    return SloSpec.model_validate(GATE | changes)


def by_name(evaluation, name: str, group: str = ""):  # type: ignore[no-untyped-def]
    return next(r for r in evaluation.results if r.name == name and r.group == group)


def test_healthy_run_passes_the_gate() -> None:
    evaluation = evaluate(synthetic(3000, failed=0.01), spec())
    assert [r.verdict for r in evaluation.results] == ["pass", "pass", "pass"]
    assert verdict_exit_code(evaluation) == 0


def test_breaching_run_fails_the_gate() -> None:
    evaluation = evaluate(synthetic(3000, failed=0.12, latency_ms=300), spec())
    assert by_name(evaluation, "failed").verdict == "fail"
    assert by_name(evaluation, "answered").verdict == "fail"  # 88% answered < 90%
    assert by_name(evaluation, "p95").verdict == "fail"  # exponential mean 300: p95 ~ 900 ms
    assert verdict_exit_code(evaluation) == 1


def test_tiny_run_is_inconclusive_and_says_how_many_more_samples() -> None:
    evaluation = evaluate(synthetic(12, failed=0.0), spec())
    failed = by_name(evaluation, "failed")
    assert failed.verdict == "inconclusive" and failed.more_samples and failed.more_samples >= 18
    assert by_name(evaluation, "p95").verdict == "inconclusive"
    assert verdict_exit_code(evaluation) == 1  # on_inconclusive: fail
    warned = evaluate(synthetic(12), spec(on_inconclusive="warn"))
    # undecided under a lenient policy: exit 0, but the verdict says so, never "pass"
    assert overall_verdict(warned) == "inconclusive" and verdict_exit_code(warned) == 0


def test_below_min_samples_is_never_pass_even_when_the_interval_is_inside() -> None:
    evaluation = evaluate(
        synthetic(200),
        spec(min_samples=500, objectives=[{"name": "failed", "ratio": "failed", "max": 0.5}]),
    )
    (result,) = evaluation.results
    assert result.upper is not None and result.upper < 0.5
    assert result.verdict == "inconclusive" and result.more_samples == 300


def test_latency_is_judged_per_intent_and_stays_exact_for_large_runs() -> None:
    fast = list(synthetic(6000, latency_ms=20, intents=("fast",), seed=1))
    slow = synthetic(6000, latency_ms=400, intents=("slow",), seed=2, start=1_700_000_100.0)
    evaluation = evaluate(
        itertools.chain(fast, slow),
        spec(objectives=[{"name": "p99", "latency": "p99", "max_ms": 500, "per": "intent"}]),
    )
    fast_result, slow_result = (
        by_name(evaluation, "p99", "intent=fast"),
        by_name(evaluation, "p99", "intent=slow"),
    )
    assert fast_result.verdict == "pass" and slow_result.verdict == "fail"
    assert "exact" in fast_result.detail
    ordered = sorted(obs.latency_ms for obs in fast)
    assert fast_result.observed == ordered[math.ceil(0.99 * 6000) - 1]  # the 5940th, exactly
    assert fast_result.lower <= fast_result.observed <= fast_result.upper  # type: ignore[operator]
    assert slow_result.observed == pytest.approx(
        400 * 4.605, rel=0.1
    )  # exponential p99 = mean * ln 100


def test_filters_scope_objectives_to_a_phase() -> None:
    baseline = synthetic(1000, failed=0.0, phase=Phase.BASELINE)
    fault = synthetic(1000, failed=0.3, phase=Phase.FAULT, start=1_700_000_020.0, seed=3)
    evaluation = evaluate(
        itertools.chain(baseline, fault),
        spec(
            objectives=[
                {"name": "calm", "ratio": "failed", "max": 0.01, "filters": {"phase": "baseline"}},
                {"name": "storm", "ratio": "failed", "max": 0.01, "filters": {"phase": "fault"}},
            ]
        ),
    )
    assert (
        by_name(evaluation, "calm").verdict == "pass"
        and by_name(evaluation, "storm").verdict == "fail"
    )
    assert by_name(evaluation, "calm").samples == 1000


def test_per_tool_error_ratio() -> None:
    evaluation = evaluate(
        synthetic(2000, tool_error=("direct_query", 0.1)),
        spec(
            objectives=[
                {"name": "ops-db", "ratio": "tool_error", "tool": "direct_query", "max": 0.02},
                {"name": "metrics", "ratio": "tool_error", "tool": "metrics", "max": 0.02},
            ]
        ),
    )
    assert (
        by_name(evaluation, "ops-db").verdict == "fail"
        and by_name(evaluation, "metrics").verdict == "pass"
    )


def test_error_budget_and_burn_rate() -> None:
    evaluation = evaluate(
        synthetic(4000, failed=0.02, step_s=0.1),
        spec(objectives=[{"name": "failed", "ratio": "failed", "max": 0.04}]),
    )
    (result,) = evaluation.results
    assert result.budget_consumed == pytest.approx(0.5, abs=0.12)  # half the allowed failures
    assert result.burn_rates and all(rate >= 0 for _, rate in result.burn_rates)


def test_sliding_window_catches_a_burst_the_whole_run_average_hides() -> None:
    calm_before = synthetic(3000, failed=0.0, step_s=0.1, seed=1)  # 300 s
    burst = synthetic(300, failed=0.6, step_s=0.1, start=1_700_000_300.0, seed=2)  # 30 s
    calm_after = synthetic(3000, failed=0.0, step_s=0.1, start=1_700_000_330.0, seed=3)
    objectives = [
        {"name": "whole run", "ratio": "failed", "max": 0.1},
        {"name": "any 30 s", "ratio": "failed", "max": 0.1, "window_s": 30},
    ]
    evaluation = evaluate(
        itertools.chain(calm_before, burst, calm_after), spec(objectives=objectives)
    )
    assert by_name(evaluation, "whole run").verdict == "pass"
    windowed = by_name(evaluation, "any 30 s")
    assert windowed.verdict == "fail" and windowed.observed is not None and windowed.observed > 0.4


def test_sliding_windows_pass_when_every_window_holds() -> None:
    evaluation = evaluate(
        synthetic(6000, failed=0.0, step_s=0.1),
        spec(objectives=[{"name": "any 30 s", "ratio": "failed", "max": 0.05, "window_s": 30}]),
    )
    assert evaluation.results[0].verdict == "pass"


def _fault_then_recovery(recover_after_s: float) -> list[Observation]:
    """60 s baseline, 30 s fault, then 40 s of recovery that is bad for `recover_after_s`."""
    start, records = 1_700_000_000.0, []
    for step in range(1300):  # one request per 0.1 s
        ts = start + step * 0.1
        if ts < start + 60:
            phase, bad = Phase.BASELINE, False
        elif ts < start + 90:
            phase, bad = Phase.FAULT, True
        else:
            phase, bad = Phase.RECOVERY, ts < start + 90 + recover_after_s
        records.append(
            Observation(
                ts=ts,
                scenario="ops-db-outage",
                phase=phase,
                status="failed" if bad else "success",
                latency_ms=900 if bad else 40 + step % 7,
            )
        )
    return records


def test_time_to_recover_passes_when_back_to_baseline_in_time() -> None:
    evaluation = evaluate(
        _fault_then_recovery(4), spec(objectives=[{"name": "recovers", "recovers_within_s": 10}])
    )
    (result,) = evaluation.results
    assert result.verdict == "pass" and result.group == "scenario=ops-db-outage"
    assert result.observed == pytest.approx(4, abs=1)


def test_time_to_recover_fails_when_recovery_is_slow() -> None:
    evaluation = evaluate(
        _fault_then_recovery(20), spec(objectives=[{"name": "recovers", "recovers_within_s": 10}])
    )
    (result,) = evaluation.results
    assert result.verdict == "fail" and result.observed == pytest.approx(20, abs=1)


def test_time_to_recover_without_a_baseline_is_inconclusive() -> None:
    records = [o for o in _fault_then_recovery(4) if o.phase is not Phase.BASELINE]
    (result,) = evaluate(
        records, spec(objectives=[{"name": "recovers", "recovers_within_s": 10}])
    ).results
    assert result.verdict == "inconclusive" and "baseline" in result.detail


def test_an_objective_nothing_matched_is_reported_inconclusive() -> None:
    evaluation = evaluate(
        synthetic(100),
        spec(
            objectives=[
                {"name": "tenant b", "ratio": "failed", "max": 0.1, "filters": {"tenant": "b"}}
            ]
        ),
    )
    (result,) = evaluation.results
    assert result.verdict == "inconclusive" and result.samples == 0


def test_fault_phase_compared_with_the_same_runs_baseline() -> None:
    baseline = synthetic(2000, failed=0.01, phase=Phase.BASELINE)
    fault = synthetic(2000, failed=0.04, phase=Phase.FAULT, start=1_700_000_030.0, seed=4)
    objective = {
        "name": "failed under fault",
        "ratio": "failed",
        "max": 0.1,
        "filters": {"phase": "fault"},
        "compare_with_phase": "baseline",
    }
    evaluation = evaluate(itertools.chain(baseline, fault), spec(objectives=[objective]))
    (result,) = evaluation.results
    assert result.verdict == "pass" and result.regression
    assert "significantly worse than the baseline phase" in result.regression_detail
    assert evaluation.gate_outcome(result) == "fail"
    lenient = evaluate(
        itertools.chain(
            synthetic(2000, failed=0.01),
            synthetic(2000, failed=0.04, phase=Phase.FAULT, start=1_700_000_030.0, seed=4),
        ),
        spec(on_regression="warn", objectives=[objective]),
    )
    assert lenient.gate_outcome(lenient.results[0]) == "warn"
