"""The columnar engine against the golden runs recorded with the per-record evaluator it replaced.

Every point estimate, count, burn rate and recovery time must agree to the last digit. The
plot series changed on purpose (one series for every report: readable bucket widths from the
first request, exact percentiles): the golden files hold the new one. The intervals changed on
purpose (confidence sequences instead of fixed-n Wilson and normal-approximation ranks): they
must contain the old ones, so a verdict can only move from decided to inconclusive, never
flip between pass and fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slo.evaluation import evaluate, evaluate_files
from slo.spec import SloSpec
from vocabulary import read_observations

GOLDEN = Path(__file__).parent / "golden"
CHANGED_ON_PURPOSE = {"lower", "upper", "verdict", "more_samples", "detail"}


def document(evaluation) -> dict:  # type: ignore[no-untyped-def]
    import dataclasses

    found = dataclasses.asdict(evaluation)
    found.pop("spec")
    found.pop("timeline")
    found["timeseries"] = dataclasses.asdict(evaluation.timeseries)
    return json.loads(json.dumps(found))  # tuples -> lists, as in the golden file


def load(name: str) -> tuple[SloSpec, dict]:
    spec = SloSpec.model_validate(json.loads((GOLDEN / f"{name}.slo.json").read_text()))
    return spec, json.loads((GOLDEN / f"{name}.golden.json").read_text())


@pytest.mark.parametrize("reader", ["duckdb", "polars"])
@pytest.mark.parametrize("name", ["chaos", "load", "tiny"])
def test_engine_agrees_with_the_recorded_evaluation(name: str, reader: str) -> None:
    spec, golden = load(name)
    found = document(evaluate_files(GOLDEN / f"{name}.jsonl", spec, reader=reader))
    for key in golden.keys() - {"results"}:
        assert found[key] == golden[key], key
    # An objective over a phase the run never had reads "no data" (on purpose): the
    # per-record evaluator called it undecided; it is left out of the results now.
    gone = [r for r in golden["results"] if r["name"] in found["no_data"]]
    assert all(r["verdict"] == "inconclusive" and "phase" in r["detail"] for r in gone)
    kept = [r for r in golden["results"] if r["name"] not in found["no_data"]]
    assert [(r["name"], r["group"]) for r in found["results"]] == [
        (r["name"], r["group"]) for r in kept
    ]
    for old, new in zip(kept, found["results"], strict=True):
        label = f"{old['name']} [{old['group']}]"
        for key in old.keys() - CHANGED_ON_PURPOSE:
            assert new[key] == old[key], f"{label}: {key}"
        if old["lower"] is not None and new["lower"] is not None:
            assert new["lower"] <= old["lower"], label
        if old["upper"] is not None and new["upper"] is not None:
            assert new["upper"] >= old["upper"], label
        assert new["verdict"] in (old["verdict"], "inconclusive"), label


def test_records_in_memory_and_the_file_scan_agree() -> None:
    spec, _ = load("chaos")
    path = GOLDEN / "chaos.jsonl"
    assert document(evaluate(read_observations(path), spec)) == document(evaluate_files(path, spec))
