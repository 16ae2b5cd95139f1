import json
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pytest
from conftest import synthetic
from rich.console import Console

from slo.baseline import BaselineFileError, BaselineReport
from slo.evaluation import evaluate
from slo.report_terminal import print_report
from slo.reports import write_reports
from slo.results import Check
from slo.spec import SloSpec
from slo.verdict import Verdict
from vocabulary import FaultWindow

SPEC = SloSpec.model_validate(
    {
        "objectives": [
            {"name": "failed", "ratio": "failed", "max": 0.05},
            {"name": "p95", "latency": "p95", "max_ms": 400},
        ]
    }
)
START = 1_700_000_000.0


def run_reports(
    tmp_path: Path, failed: float, latency_ms: float = 50.0, **kw: object
) -> tuple[object, dict[str, Path]]:
    evaluation = evaluate(
        synthetic(3000, failed=failed, latency_ms=latency_ms, step_s=0.05), SPEC, **kw
    )
    checks = [
        Check("scenario ops-db-outage", "no cross-tenant rows", Verdict.PASS, "0 rows"),
        Check("scenario ops-db-outage", "audit exactly once", Verdict.FAIL, "2 records lost"),
    ]
    written = write_reports(
        tmp_path,
        evaluation,
        checks=checks,
        fault_windows=[FaultWindow(START + 40, START + 80, "ops-db latency 800ms")],
    )
    return evaluation, written


def test_reports_are_written_with_a_versioned_schema(tmp_path: Path) -> None:
    _, written = run_reports(tmp_path, failed=0.01)
    assert set(written) == {"json", "markdown", "junit", "html"}
    document = json.loads(written["json"].read_text())
    assert document["schema_version"] == 1 and document["verdict"] == "fail"  # a check failed
    assert [o["verdict"] for o in document["objectives"]] == ["pass", "pass"]
    assert sum(sum(bucket.values()) for bucket in document["timeseries"]["status_counts"]) == 3000
    markdown = written["markdown"].read_text()
    assert "✅ failed 1." in markdown and len(markdown) < 65_000  # GitHub's comment limit
    assert "| ❌ | scenario ops-db-outage | audit exactly once | all | 2 records lost |" in markdown


def test_junit_has_one_case_per_objective_and_check_with_failures_marked(tmp_path: Path) -> None:
    _, written = run_reports(tmp_path, failed=0.2)
    root = ET.parse(written["junit"]).getroot()
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"failed", "p95", "no cross-tenant rows", "audit exactly once"}
    assert cases["failed"].find("failure") is not None and cases["p95"].find("failure") is None
    assert cases["audit exactly once"].find("failure") is not None


def test_html_without_observation_files_shows_the_evaluations_timeline(tmp_path: Path) -> None:
    _, written = run_reports(tmp_path, failed=0.01)
    html = written["html"].read_text()
    assert "<h2>Timeline</h2>" in html and "<h2>Per intent</h2>" not in html  # no breakdown
    assert html.count('class="plotly-graph-div"') == 3  # the timeline and two objectives
    assert "<script src" not in html and "<link" not in html


def test_terminal_report_lists_objectives_and_the_verdict() -> None:
    evaluation = evaluate(synthetic(3000, failed=0.2), SPEC)
    out = StringIO()
    print_report(evaluation, console=Console(file=out, width=200))
    text = out.getvalue()
    assert "failed" in text and "gate: FAIL" in text


def test_the_verbose_table_fits_80_columns_without_breaking_a_verdict() -> None:
    evaluation = evaluate(synthetic(40, failed=0.3), SPEC.model_copy(update={"min_samples": 5}))
    assert "inconclusive" in {result.verdict for result in evaluation.results}
    undecided = Check("s", "status [fault]", Verdict.INCONCLUSIVE, "12 samples")
    out = StringIO()
    print_report(evaluation, [undecided], console=Console(file=out, width=80))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    verdicts = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    assert "inconclusive" in verdicts and "inconclusi" not in verdicts and "fail" in verdicts


def test_baseline_comparison_flags_a_significant_regression(tmp_path: Path) -> None:
    _, written = run_reports(tmp_path / "before", failed=0.01, latency_ms=50)
    baseline = BaselineReport.load(written["json"])
    worse = evaluate(synthetic(3000, failed=0.03, latency_ms=90, seed=11), SPEC, baseline=baseline)
    failed, p95 = worse.results
    assert (
        failed.verdict == "pass"
        and failed.regression
        and "significantly worse" in failed.regression_detail
    )
    assert p95.regression
    assert worse.gate_outcome(failed) == "fail"  # on_regression: fail


def test_baseline_comparison_ignores_noise(tmp_path: Path) -> None:
    _, written = run_reports(tmp_path / "before", failed=0.01)
    same = evaluate(
        synthetic(3000, failed=0.01, seed=99), SPEC, baseline=BaselineReport.load(written["json"])
    )
    assert not any(result.regression for result in same.results)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", r":1: not JSON"),
        ('{"schema_version": 7}', r"field 'schema_version': expected 1, got 7"),
        ('{"schema_version": 1, "objectives": [{"name": "x"}]}', r"field 'objectives\[0\]'"),
    ],
)
def test_bad_baseline_reports_are_one_line_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises(BaselineFileError, match=expected):
        BaselineReport.load(path)
