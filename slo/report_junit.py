"""junit.xml: one test case per objective (suite "slo") and per check (suite = its group)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from .formatting import show_interval, show_note, show_value
from .results import Check, Evaluation


def render_junit(evaluation: Evaluation, checks: Sequence[Check], title: str) -> str:
    root = ET.Element("testsuites", name=title)
    suite = ET.SubElement(root, "testsuite", name=f"slo.{evaluation.spec.name}")
    failures = skipped = 0
    for result in evaluation.results:
        case = ET.SubElement(
            suite, "testcase", classname=f"slo.{evaluation.spec.name}", name=result.label
        )
        message = (
            f"{result.verdict}: observed {show_value(result.observed, result.unit)} "
            f"{show_interval(result)}, target {result.target}"
        )
        outcome = evaluation.gate_outcome(result)
        if outcome == "fail":
            failures += 1
            ET.SubElement(case, "failure", message=message, type=result.verdict).text = show_note(
                result
            )
        elif outcome == "warn":
            skipped += 1
            ET.SubElement(case, "skipped", message=message)
        ET.SubElement(case, "system-out").text = show_note(result)
    suite.set("tests", str(len(evaluation.results)))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    groups: dict[str, list[Check]] = {}
    for check in checks:
        groups.setdefault(check.group, []).append(check)
    for group, members in groups.items():
        check_suite = ET.SubElement(
            root,
            "testsuite",
            name=group,
            tests=str(len(members)),
            failures=str(sum(not c.passed for c in members)),
        )
        for check in members:
            case = ET.SubElement(check_suite, "testcase", classname=group, name=check.name)
            if not check.passed:
                ET.SubElement(case, "failure", message=check.detail or "failed")
            elif check.detail:
                ET.SubElement(case, "system-out").text = check.detail
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
