"""The file reports of realistic runs: junit.xml under the Jenkins JUnit schema, report.json
under its published schema, Markdown without Python reprs, one self-contained HTML page."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from junitparser import JUnitXml

from slo.report_json import SCHEMA_VERSION
from slo.report_schema import ReportDocument, report_json_schema, report_json_schema_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from sample_runs import write_sample  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("samples")
    return {
        "chaos": write_sample(root / "chaos", "chaos", interrupted=True),
        "load": write_sample(root / "load", "load"),
    }


@pytest.mark.parametrize("kind", ["chaos", "load"])
def test_junit_validates_against_the_jenkins_schema_and_reads_back(samples, kind: str) -> None:
    path = samples[kind]["junit"]
    xmlschema.XMLSchema(FIXTURES / "junit-10.xsd").validate(path)
    report = JUnitXml.fromfile(str(path))
    suites = list(report)
    assert all(suite.timestamp and suite.time is not None for suite in suites)
    slo_suite = suites[0]
    assert slo_suite.name.startswith("slo.") and slo_suite.time > 60  # the span observed
    failed = [case.name for case in slo_suite if any(r._tag == "failure" for r in case.result)]
    document = json.loads(samples[kind]["json"].read_text())
    assert failed == [o["name"] for o in document["objectives"] if o["outcome"] == "fail"]
    assert report.tests == len(document["objectives"]) + len(document["checks"])
    assert report.failures == slo_suite.failures + sum(s.failures for s in suites[1:])


def test_the_junit_schema_rejects_a_suite_without_errors(samples) -> None:
    text = samples["load"]["junit"].read_text()
    broken = re.sub(r' errors="0"', "", text)
    with pytest.raises(xmlschema.XMLSchemaValidationError, match="errors"):
        xmlschema.XMLSchema(FIXTURES / "junit-10.xsd").validate(broken)


def test_report_json_follows_its_published_schema(samples) -> None:
    schema = report_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    chaos = json.loads(samples["chaos"]["json"].read_text())
    load = json.loads(samples["load"]["json"].read_text())
    for document in (chaos, load):
        jsonschema.validate(document, schema)
    assert chaos["interrupted"] is True and load["interrupted"] is False
    assert chaos["schema_version"] == SCHEMA_VERSION
    with pytest.raises(jsonschema.ValidationError, match="interrupted"):
        jsonschema.validate({k: v for k, v in load.items() if k != "interrupted"}, schema)


def test_the_published_schema_file_is_current() -> None:
    assert (DOCS / "report.schema.json").read_text() == report_json_schema_text()
    assert ReportDocument.model_fields["schema_version"].annotation.__args__ == (SCHEMA_VERSION,)


@pytest.mark.parametrize("kind", ["chaos", "load"])
def test_markdown_has_no_python_repr(samples, kind: str) -> None:
    markdown = samples[kind]["markdown"].read_text()
    assert not re.search(r"[{\[]'|'[}\]]|\bNone\b|\bTrue\b|\bFalse\b|\(\d+\.\d{6,}", markdown)
    assert "requests by status: success" in markdown
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            assert line.count(" | ") + 2 == line.count("|") - line.count("\\|")


def test_markdown_says_a_run_was_interrupted(samples) -> None:
    assert "**Interrupted**" in samples["chaos"]["markdown"].read_text()
    assert "Interrupted" not in samples["load"]["markdown"].read_text()


def test_status_check_details_read_as_text() -> None:
    from types import SimpleNamespace

    from scenarios.runner.expectation_checks import judge_status
    from vocabulary import parse_ratio_bound

    outcomes = [
        SimpleNamespace(observation=SimpleNamespace(status=status))
        for status in ["partial"] * 44 + ["success"] * 156
    ]
    _, detail = judge_status({"partial": parse_ratio_bound("<= 30%")}, outcomes)
    assert "{" not in detail and "'" not in detail and "mix: success 156, partial 44" in detail


@pytest.mark.parametrize("kind", ["chaos", "load"])
def test_html_is_one_self_contained_page(samples, kind: str) -> None:
    html = samples[kind]["html"].read_text()
    assert html.count("<script") == html.count("</script>")
    assert not re.search(r"<script[^>]*\bsrc=|<link\b|<img\b|<iframe\b|@import", html)
    assert html.count("window.Plotly") >= 1 and html.count('"use strict";var Plotly') <= 1
    assert html.count('class="plotly-graph-div"') >= 4
    assert "fault: " in html


def test_a_fault_still_active_when_the_run_stopped_is_valid_json(tmp_path: Path) -> None:
    from conftest import synthetic

    from slo.evaluation import evaluate
    from slo.reports import write_reports
    from slo.spec import SloSpec
    from vocabulary import FaultWindow

    spec = SloSpec.model_validate({"objectives": [{"name": "f", "ratio": "failed", "max": 0.1}]})
    evaluation = evaluate(synthetic(200), spec)
    written = write_reports(
        tmp_path, evaluation, fault_windows=[FaultWindow(1_700_000_001.0)], interrupted=True
    )
    text = written["json"].read_text()
    assert "Infinity" not in text and "NaN" not in text  # Python's json would accept them
    document = json.loads(text)
    jsonschema.validate(document, report_json_schema())
    assert document["fault_windows"][0]["end"] is None and document["interrupted"] is True
