"""junit.xml: one test case per objective (suite "slo.<name>") and per check (suite = its
group), valid under the Jenkins xunit plugin's JUnit schema (junit-10.xsd): every suite
carries `tests`, `failures`, `errors`, `skipped`, `time` and `timestamp`.

An objective is a judgement over the whole run, not a timed step: its case's `time` is 0 and
its suite's `time` is the span of requests observed. A check suite (a scenario's checks)
carries the scenario's own start and wall time when the run knows them. A warn (inconclusive
or a regression under a `warn` policy) is a skipped case with its reason. Names are unique
within a suite (readers key cases by classname and name): a repeated one gets ` (2)`, ` (3)`...
in order of appearance.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from .formatting import show_interval, show_note, show_value
from .results import Check, Evaluation


def render_junit(
    evaluation: Evaluation,
    checks: Sequence[Check],
    title: str,
    *,
    written_at: float,
    spans: Mapping[str, tuple[float, float]] | None = None,
) -> str:
    """`written_at` (epoch seconds) stamps suites that have no observed start of their own;
    `spans`: per check group (a scenario), its (start, end) in epoch seconds."""
    span = (
        evaluation.ended - evaluation.started
        if evaluation.started is not None and evaluation.ended is not None
        else 0.0
    )
    root = ET.Element("testsuites", name=title)
    _objective_suite(root, evaluation, started=evaluation.started or written_at, span=span)
    groups: dict[str, list[Check]] = {}
    for check in checks:
        groups.setdefault(check.group, []).append(check)
    for group, members in groups.items():
        started, ended = (spans or {}).get(group, (written_at, written_at))
        _check_suite(root, evaluation, group, members, started=started, ended=ended)
    for each in root.iter("testsuite"):
        _count(each)
    _count_all(root, span)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _objective_suite(
    root: ET.Element, evaluation: Evaluation, *, started: float, span: float
) -> None:
    """The suite of the SLO's objectives: a case each, failed or skipped by the gate."""
    suite = _suite(root, f"slo.{evaluation.spec.name}", started, span)
    for result in evaluation.results:
        case = _case(suite, f"slo.{evaluation.spec.name}", result.label)
        message = (
            f"{result.verdict}: observed {show_value(result.observed, result.unit)} "
            f"{show_interval(result)}, target {result.target}"
        )
        outcome = evaluation.gate_outcome(result)
        if outcome == "fail":
            failure = ET.SubElement(case, "failure", message=message, type=result.verdict)
            failure.text = show_note(result)
        elif outcome == "warn":
            ET.SubElement(case, "skipped", message=message)
        ET.SubElement(case, "system-out").text = show_note(result)


def _check_suite(
    root: ET.Element,
    evaluation: Evaluation,
    group: str,
    members: Sequence[Check],
    *,
    started: float,
    ended: float,
) -> None:
    """The suite of one group's checks (a scenario's), over the span it ran."""
    suite = _suite(root, group, started, max(0.0, ended - started))
    for check, name in zip(members, _unique([check.name for check in members]), strict=True):
        case = _case(suite, group, name)
        outcome = evaluation.check_outcome(check)
        if outcome == "fail":
            message = check.detail or "failed"
            ET.SubElement(case, "failure", message=message, type=check.verdict)
        elif outcome == "warn":
            ET.SubElement(case, "skipped", message=check.detail or check.verdict)
        elif check.detail:
            ET.SubElement(case, "system-out").text = check.detail


def _unique(names: Sequence[str]) -> list[str]:
    """Each name, a repeat suffixed with the next ordinal no other case uses."""
    originals = set(names)
    used: set[str] = set()
    unique = []
    for name in names:
        chosen, n = name, 1
        while chosen in used or (chosen != name and chosen in originals):
            n += 1
            chosen = f"{name} ({n})"
        used.add(chosen)
        unique.append(chosen)
    return unique


def _suite(root: ET.Element, name: str, started: float, span: float) -> ET.Element:
    stamp = datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return ET.SubElement(root, "testsuite", name=name, timestamp=stamp, time=f"{span:.3f}")


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=classname, name=name, time="0.000")


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(case.find("failure") is not None for case in cases)))
    suite.set("errors", "0")  # an evaluation that could not run raises; it writes no report
    suite.set("skipped", str(sum(case.find("skipped") is not None for case in cases)))


def _count_all(root: ET.Element, span: float) -> None:
    suites = root.findall("testsuite")
    for attribute in ("tests", "failures", "errors"):
        root.set(attribute, str(sum(int(suite.get(attribute, "0")) for suite in suites)))
    root.set("time", f"{span:.3f}")
