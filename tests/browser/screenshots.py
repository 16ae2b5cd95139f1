"""The README's report screenshots, taken from real runs in headless Chromium:

    .venv/bin/python tests/browser/screenshots.py chaos=RUN/report.html load=RUN/report.html

`chaos=recorded` stands for the recorded core-suite run against a build whose breaker
never opens (tests/slo/real_runs/core-fail), its reports rebuilt with today's code. Each
page is shot whole at 1280 px wide into docs/report-<kind>.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from cdp import chromium_page

HERE = Path(__file__).resolve().parent
DOCS = HERE.parents[1] / "docs"
sys.path.insert(0, str(HERE.parent / "slo" / "real_runs"))
from rebuild import rebuild  # noqa: E402


def shoot(page_path: Path, out: Path) -> None:
    with chromium_page() as page:
        page.call("Page.navigate", url=page_path.resolve().as_uri())
        page.wait_for("Page.loadEventFired")
        page.screenshot(out, width=1280)
        if page.console_errors:
            raise SystemExit(f"{page_path}: console errors {page.console_errors}")


def main(pairs: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="gauntlet-shots-") as work:
        for pair in pairs:
            kind, _, where = pair.partition("=")
            page = rebuild("core-fail", Path(work))["html"] if where == "recorded" else Path(where)
            out = DOCS / f"report-{kind}.png"
            shoot(page, out)
            print(out)


if __name__ == "__main__":
    main(sys.argv[1:])
