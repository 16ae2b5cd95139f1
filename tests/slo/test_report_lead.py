"""What a report leads with, on the reports of two real core-suite runs (tests/slo/real_runs):
one where everything held, one against a build whose breaker never opens, which fails."""

from __future__ import annotations

import json
import re
import sys
from html import escape
from pathlib import Path

import pytest
from rich.console import Console

from scenarios.runner.terminal import print_summary
from slo import Check, Verdict, evaluate_files, load_slo_file

sys.path.insert(0, str(Path(__file__).parent / "real_runs"))
from rebuild import CHAOS_CORE, rebuild  # noqa: E402

FIXTURES = Path(__file__).parent / "real_runs"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("real")
    return {name: rebuild(name, root / name) for name in ("core-pass", "core-fail")}


def recorded_checks(name: str) -> list[dict]:
    return json.loads((FIXTURES / name / "run.json").read_text())["checks"]


def test_a_run_that_held_is_a_pr_comment_under_40_lines(runs) -> None:
    markdown = runs["core-pass"]["markdown"].read_text()
    lines = markdown.splitlines()
    assert len(lines) < 40, markdown
    assert lines[0] == "## ✅ Gauntlet chaos suite: **PASS**"
    assert "What failed" not in markdown
    checks = recorded_checks("core-pass")
    scenarios = list(dict.fromkeys(check["group"] for check in checks))
    assert len(scenarios) == 26
    held = f"{len(scenarios)}/{len(scenarios)} scenarios, 6/6 objectives, "
    assert f"- **Held:** {held}{len(checks)}/{len(checks)} checks" in markdown
    folded = markdown[markdown.index("<details>") : markdown.index("</details>")]
    assert [line for line in folded.splitlines() if line.startswith("- ✅ **")] == [
        line for line in lines if line.startswith("- ✅ **")
    ]
    assert all(f"**{name}**" in folded for name in scenarios)


def test_a_failing_run_leads_with_what_failed_observed_against_expected(runs) -> None:
    markdown = runs["core-fail"]["markdown"].read_text()
    lines = markdown.splitlines()
    assert lines[0] == "## ❌ Gauntlet chaos suite: **FAIL**"
    assert lines[2] == "### What failed"
    failed = [c for c in recorded_checks("core-fail") if c["verdict"] == "fail"]
    undecided = [c for c in recorded_checks("core-fail") if c["verdict"] == "inconclusive"]
    assert failed and undecided
    rows = [line for line in lines if line.startswith("| ❌ |") or line.startswith("| ❔ |")]
    for check in failed:  # scenario, check, phase, observed, expected: each whole
        name = check["name"].removesuffix(f" [{check['phase']}]")
        row = f"| ❌ | {check['group']} | {name} | {check['phase'] or 'all'} | "
        assert any(line.startswith(row) and check["detail"] in line for line in rows), row
        assert check["expected"] and any(check["expected"] in line for line in rows)
    # failures first, then what is undecided; the folded scenarios come after both
    marks = [line[:5] for line in rows]
    assert marks == sorted(marks, key=lambda mark: mark != "| ❌ |")
    assert len(rows) >= len(failed) + len(undecided)
    assert markdown.index("### What failed") < markdown.index("<details>")
    # the scenarios not held come first in the fold
    fold = markdown[markdown.index("<details>") :].splitlines()
    marks = [line.split()[1] for line in fold if line.startswith("- ")]
    failing = len({check["group"] for check in failed})
    assert marks[:failing] == ["❌"] * failing and "❌" not in marks[failing:]


def test_the_html_opens_with_the_verdict_and_what_failed_before_any_chart(runs) -> None:
    html = runs["core-fail"]["html"].read_text()
    first_chart = html.index('class="plotly-graph-div"')
    assert html.index('<span class="fail">FAIL</span>') < html.index('id="what-failed"')
    assert html.index('id="what-failed"') < first_chart
    findings = html[
        html.index('id="what-failed"') : html.index("</table>", html.index("what-failed"))
    ]
    for check in recorded_checks("core-fail"):
        if check["verdict"] == "fail":
            assert check["group"] in findings
    # a check's link zooms the timeline to its scenario; the chart it names exists
    links = re.findall(r'<a href="#([\w-]+)" data-from="([\d.]+)" data-to="([\d.]+)"', findings)
    assert links and all(float(start) < float(end) for _, start, end in links)
    assert all(f'id="{chart}"' in html for chart, _, _ in links)
    for chart in re.findall(r'<a href="#(chart-objectives-[\w-]+)"', findings):
        assert f'id="{chart}"' in html
    # the scenarios that held are folded away; the full tables too
    assert re.search(r"<details><summary>18 scenarios held</summary>", html)
    assert re.search(r"<details><summary>All 6 objectives and 177 checks</summary>", html)


def test_the_html_of_a_run_that_held_folds_every_scenario(runs) -> None:
    html = runs["core-pass"]["html"].read_text()
    assert 'id="what-failed"' not in html
    assert "<details><summary>26 scenarios held</summary>" in html


def test_every_report_names_the_slo_that_judged_the_run_and_why(runs) -> None:
    why = "slo/examples/chaos-core.yaml (the core suite's default: no --slo given)"
    assert why in runs["core-pass"]["markdown"].read_text()
    assert escape(why) in runs["core-pass"]["html"].read_text()
    document = json.loads(runs["core-pass"]["json"].read_text())
    assert document["slo"]["judged_by"].endswith(why)
    assert document["schema_minor"] == 2


@pytest.mark.parametrize("verbose", [False, True])
def test_the_terminal_prints_a_failed_checks_reason_whole(tmp_path: Path, verbose: bool) -> None:
    reason = (
        "direct_query never failed (expected ['rate_limited']); the method ended after 300 "
        "requests of the phase, so the rate limit of the tenant's share was never met"
    )
    checks = [
        Check("rate-limit-tenant-share", "tool_errors", Verdict.FAIL, reason),
        Check("rate-limit-tenant-share", "status", Verdict.PASS, "x " * 80),
    ]
    written = rebuild("core-pass", tmp_path)
    evaluation = evaluate_files(written["json"].parent / "observations.jsonl", SPEC)
    console = Console(width=80, record=True, color_system=None)
    print_summary([], evaluation, checks, console, verbose=verbose)
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert " ".join(reason.split()) in " ".join(text.split())  # wrapped, never cut
    assert "…" in text if verbose else "x x x" not in text  # a pass stays one cut line


SPEC = load_slo_file(CHAOS_CORE)
