"""junit.xml as CI reads it: one case per name within a suite, and each scenario's real time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema
from conftest import synthetic

from slo import Check, Verdict
from slo.evaluation import evaluate
from slo.report_junit import render_junit
from slo.spec import SloSpec

XSD = Path(__file__).parent / "fixtures" / "junit-10.xsd"
SPEC = SloSpec.model_validate({"objectives": [{"name": "failed", "ratio": "failed", "max": 0.05}]})


def suites(checks: list[Check], spans: dict[str, tuple[float, float]] | None = None):  # type: ignore[no-untyped-def]
    evaluation = evaluate(synthetic(500, failed=0.0), SPEC)
    text = render_junit(evaluation, checks, "suite", written_at=1_000.0, spans=spans)
    xmlschema.XMLSchema(XSD).validate(text)
    return {s.get("name"): s for s in ET.fromstring(text).iter("testsuite")}


def test_repeated_check_names_become_unique_in_order_of_appearance() -> None:
    checks = [
        Check("s", "status [fault]", Verdict.PASS, "first"),
        Check("s", "status [fault]", Verdict.FAIL, "second"),
        Check("s", "status [fault] (2)", Verdict.PASS, "a name that was already taken"),
        Check("t", "status [fault]", Verdict.PASS, "another suite keeps its own names"),
    ]
    found = suites(checks)
    names = [(c.get("name"), c.find("failure") is not None) for c in found["s"].iter("testcase")]
    assert names == [
        ("status [fault]", False),
        ("status [fault] (3)", True),
        ("status [fault] (2)", False),
    ]
    assert [c.get("name") for c in found["t"].iter("testcase")] == ["status [fault]"]


def test_a_scenario_suite_carries_its_own_start_and_wall_time() -> None:
    checks = [
        Check("s", "steady state before", Verdict.PASS),
        Check("t", "steady state before", Verdict.PASS),
    ]
    found = suites(checks, spans={"s": (86_400.0, 86_412.5)})
    assert found["s"].get("time") == "12.500"
    assert found["s"].get("timestamp") == "1970-01-02T00:00:00"
    assert found["s"].get("errors") == "0"
    assert found["t"].get("time") == "0.000"  # no span known: stamped when written
    assert found["t"].get("timestamp") == "1970-01-01T00:16:40"
