"""The first screen of a failing run's report.html, in a real browser at 1280x900: the verdict
and the failing checks are in view before any chart, and a check's chart link scrolls to the
timeline and zooms it to that scenario."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cdp import chromium_page

REAL_RUNS = Path(__file__).resolve().parents[1] / "slo" / "real_runs"
sys.path.insert(0, str(REAL_RUNS))
from rebuild import rebuild  # noqa: E402

WIDTH, HEIGHT = 1280, 900

# Every element whose text is one of `texts`, with its box in the viewport.
_BOXES = """
((selector, texts) => [...document.querySelectorAll(selector)]
  .filter(e => texts.includes(e.textContent.trim()))
  .map(e => { const r = e.getBoundingClientRect();
              return {text: e.textContent.trim(), top: r.top, bottom: r.bottom}; }))
"""


def test_a_failing_run_shows_its_verdict_and_failed_checks_on_the_first_screen(
    tmp_path: Path,
) -> None:
    written = rebuild("core-fail", tmp_path)
    checks = json.loads((REAL_RUNS / "core-fail" / "run.json").read_text())["checks"]
    failed = [check for check in checks if check["verdict"] == "fail"]
    scenarios = sorted({check["group"] for check in failed})
    with chromium_page(WIDTH, HEIGHT) as page:
        page.call("Page.navigate", url=written["html"].resolve().as_uri())
        page.wait_for("Page.loadEventFired")
        verdict = page.evaluate(f"({_BOXES})('h1 span', ['FAIL'])")
        assert verdict and verdict[0]["bottom"] <= HEIGHT
        shown = page.evaluate(f"({_BOXES})('table.findings td', {json.dumps(scenarios)})")
        assert {box["text"] for box in shown if box["bottom"] <= HEIGHT} == set(scenarios)
        first_chart = page.evaluate(
            "document.querySelector('.js-plotly-plot').getBoundingClientRect().top"
        )
        assert first_chart > max(box["bottom"] for box in shown)
        before = page.evaluate("document.getElementById('chart-timeline').layout.xaxis.range")
        page.evaluate("document.querySelector('a[data-from]').click()")
        page.evaluate("new Promise(done => setTimeout(done, 300))")
        link = page.evaluate(
            "(() => { const a = document.querySelector('a[data-from]');"
            " return [+a.dataset.from, +a.dataset.to]; })()"
        )
        after = page.evaluate("document.getElementById('chart-timeline').layout.xaxis.range")
        assert after != before and [round(x, 1) for x in after] == link
        timeline_top = page.evaluate(
            "document.getElementById('chart-timeline').getBoundingClientRect().top"
        )
        assert -1 <= timeline_top < HEIGHT  # the link scrolled to the timeline
        assert page.console_errors == []
