"""An inconclusive check never reads as pass; the SLO file decides whether it fails."""

from __future__ import annotations

from conftest import synthetic

from slo import Check, Verdict
from slo.evaluation import evaluate
from slo.spec import SloSpec
from slo.verdict import overall_verdict, verdict_exit_code


def spec(on_inconclusive: str) -> SloSpec:
    return SloSpec.model_validate(
        {
            "min_samples": 30,
            "on_inconclusive": on_inconclusive,
            "objectives": [{"name": "failed", "ratio": "failed", "max": 0.05}],
        }
    )


UNDECIDED = Check("s", "status [fault]", Verdict.INCONCLUSIVE, "partial 5/5 (>= 0.6)")
HELD = Check("s", "no_cross_tenant_data", Verdict.PASS, "")
BROKEN = Check("s", "tool_errors", Verdict.FAIL, "metrics failed with internal_error")


def test_an_undecided_check_is_inconclusive_and_exits_0_under_warn() -> None:
    evaluation = evaluate(synthetic(3000, failed=0.0), spec("warn"))
    assert overall_verdict(evaluation, [HELD]) == "pass"
    assert overall_verdict(evaluation, [HELD, UNDECIDED]) == "inconclusive"
    assert verdict_exit_code(evaluation, [HELD, UNDECIDED]) == 0
    assert UNDECIDED.verdict == "inconclusive" and not UNDECIDED.passed


def test_an_undecided_check_fails_a_gate_that_says_so() -> None:
    evaluation = evaluate(synthetic(3000, failed=0.0), spec("fail"))
    assert overall_verdict(evaluation, [HELD, UNDECIDED]) == "fail"
    assert verdict_exit_code(evaluation, [HELD, UNDECIDED]) == 1


def test_a_breach_fails_whatever_else_is_undecided() -> None:
    evaluation = evaluate(synthetic(3000, failed=0.0), spec("warn"))
    assert overall_verdict(evaluation, [UNDECIDED, BROKEN]) == "fail"


def test_every_report_shows_an_undecided_check_as_undecided() -> None:
    """Not as a failure under `warn`, and as a failure only where the file says so."""
    import xml.etree.ElementTree as ET

    import polars as pl
    from rich.console import Console

    from scenarios.runner.terminal import print_summary
    from slo.report_html import render_html
    from slo.report_junit import render_junit

    for policy, junit_tag in (("warn", "skipped"), ("fail", "failure")):
        evaluation = evaluate(synthetic(3000, failed=0.0), spec(policy))
        checks = [HELD, UNDECIDED]
        html = render_html(evaluation, checks, [], "suite", pl.DataFrame())
        outcome = "warn" if policy == "warn" else "fail"
        assert f'<td class="{outcome}">inconclusive</td>' in html
        assert '<td class="pass">pass</td>' in html

        junit = ET.fromstring(render_junit(evaluation, checks, "suite", written_at=0.0))
        case = next(c for c in junit.iter("testcase") if c.get("name") == UNDECIDED.name)
        assert [child.tag for child in case if child.tag != "system-out"] == [junit_tag]

        console = Console(width=120, record=True, color_system=None)
        print_summary([], evaluation, checks, console)
        rows = console.export_text().splitlines()
        assert any(row.startswith("??") and UNDECIDED.name in row for row in rows)
        assert not any(row.startswith("FAIL") for row in rows)
