"""The HTML reports in a real browser: every chart renders, hover shows values, zoom works,
with no console error and no network request. The pages are sample runs; the README's
screenshots come from real runs (tests/browser/screenshots.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cdp import chromium_page
from sample_runs import write_sample

# Per chart div: its traces, and whether each trace drew something in the SVG.
_CHARTS = """
(() => {
const titles = (gd, pattern) => [...gd.querySelectorAll('.infolayer text')]
  .filter(t => pattern.test(t.getAttribute('class'))).map(t => t.textContent);
return [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
  id: gd.id,
  traces: gd.data.length,
  drawn: gd.querySelectorAll('.trace').length,
  points: gd.querySelectorAll('.point, .js-line').length,
  xtitles: titles(gd, /^x[0-9]*title$/),
  ytitles: titles(gd, /^y[0-9]*title$/),
}));
})()
"""


# Tick labels (objective names, intents, tenants) that stick out of their chart's box.
_CUT_LABELS = """
[...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
  const box = gd.getBoundingClientRect();
  return [...gd.querySelectorAll('.ytick text, .xtick text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.left < box.left - 1 || r.right > box.right + 1;
  }).map(t => t.textContent);
})
"""


@pytest.mark.parametrize("kind", ["chaos", "load"])
def test_report_page_renders_offline_without_errors(tmp_path: Path, kind: str) -> None:
    written = write_sample(tmp_path / kind, kind)
    page_url = written["html"].resolve().as_uri()
    expected = written["html"].read_text(encoding="utf-8").count('class="plotly-graph-div"')
    with chromium_page() as page:
        page.call("Page.navigate", url=page_url)
        page.wait_for("Page.loadEventFired")
        charts = page.evaluate(_CHARTS)
        assert len(charts) == expected >= 4  # timeline, per intent, per tenant, objectives
        for chart in charts:
            assert chart["traces"] > 0 and chart["drawn"] >= chart["traces"], chart
            assert chart["points"] > 0, chart
            assert any(chart["xtitles"]) and any(chart["ytitles"]), chart  # shared axes: one
        timeline = charts[0]
        assert timeline["ytitles"] == [
            "share of requests (%)",
            "latency (ms)",
            "requests per second",
            "requests in flight (peak)",
        ]
        assert page.evaluate(_CUT_LABELS) == []
        _hover_shows_values(page, timeline["id"])
        _drag_zooms(page, timeline["id"])
        page.call("Page.reload")
        page.wait_for("Page.loadEventFired")
        page.screenshot(tmp_path / f"report-{kind}.png", width=1280)  # renders whole
        assert page.console_errors == []
        outside = [url for url in page.requests if url != page_url]
        assert outside == [], f"the page fetched {outside}"


def _box(page, div_id: str, selector: str) -> dict:
    return page.evaluate(
        f"(() => {{ const r = document.querySelector('#{div_id} {selector}')"
        ".getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; })()"
    )


def _mouse(page, kind: str, x: float, y: float, buttons: int = 0) -> None:
    page.call(
        "Input.dispatchMouseEvent",
        type=kind,
        x=x,
        y=y,
        button="left" if kind != "mouseMoved" or buttons else "none",
        buttons=buttons,
        clickCount=1 if kind != "mouseMoved" else 0,
    )


def _hover_shows_values(page, div_id: str) -> None:
    area = _box(page, div_id, ".nsewdrag")  # the first subplot's drag area
    page.evaluate(f"window.scrollTo(0, {area['y']} - 100)")
    area = _box(page, div_id, ".nsewdrag")
    _mouse(page, "mouseMoved", area["x"] + area["w"] * 0.3, area["y"] + area["h"] * 0.5)
    page.evaluate("new Promise(done => setTimeout(done, 300))")
    labels = page.evaluate(
        f"[...document.querySelectorAll('#{div_id} .hoverlayer text')].map(t => t.textContent)"
    )
    assert any("%" in label for label in labels), labels


def _drag_zooms(page, div_id: str) -> None:
    before = page.evaluate(f"document.getElementById('{div_id}').layout.xaxis.range")
    area = _box(page, div_id, ".nsewdrag")
    y = area["y"] + area["h"] * 0.5
    _mouse(page, "mousePressed", area["x"] + area["w"] * 0.2, y, buttons=1)
    _mouse(page, "mouseMoved", area["x"] + area["w"] * 0.4, y, buttons=1)
    _mouse(page, "mouseMoved", area["x"] + area["w"] * 0.6, y, buttons=1)
    _mouse(page, "mouseReleased", area["x"] + area["w"] * 0.6, y)
    page.evaluate("new Promise(done => setTimeout(done, 300))")
    after = page.evaluate(f"document.getElementById('{div_id}').layout.xaxis.range")
    assert json.dumps(after) != json.dumps(before) and after[1] - after[0] < before[1] - before[0]
