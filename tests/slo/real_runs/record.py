"""Record a real run as a fixture: its observations (gzipped) and the checks, fault windows
and scenario spans its report.json and junit.xml hold, so the report tests can rebuild the
reports of a real run without running it again.

    .venv/bin/python tests/slo/real_runs/record.py RUN_FOLDER NAME

The two recorded runs: `core-pass`, the core suite against the reference orchestrator, and
`core-fail`, the same suite against bench/mutants' breaker-never-opens (a breaker that
never opens), which fails. core-pass was written by schema 1.0 (before checks carried their
phase and expectation): those fields are empty in it; nothing in a passing run shows them.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def record(run: Path, name: str) -> Path:
    out = HERE / name
    out.mkdir(exist_ok=True)
    with (
        (run / "observations.jsonl").open("rb") as source,
        gzip.open(out / "observations.jsonl.gz", "wb", compresslevel=9) as target,
    ):
        shutil.copyfileobj(source, target)
    document = json.loads((run / "report.json").read_text())
    facts = {
        "title": document["title"],
        "checks": [
            {key: check.get(key, "") for key in ("group", "name", "detail", "phase", "expected")}
            | {"verdict": _verdict(check)}
            for check in document["checks"]
        ],
        "fault_windows": document["fault_windows"],
        "spans": _spans(run / "junit.xml"),
    }
    (out / "run.json").write_text(json.dumps(facts, indent=1) + "\n")
    return out


def _verdict(check: dict) -> str:
    if check["passed"]:
        return "pass"
    return "inconclusive" if check["inconclusive"] else "fail"


def _spans(junit: Path) -> dict[str, list[float]]:
    """Each scenario's (start, end) in epoch seconds, as junit.xml stamps its suite."""
    spans = {}
    for suite in ET.parse(junit).getroot().iter("testsuite"):
        name = suite.get("name", "")
        if name.startswith("slo."):
            continue
        stamp = datetime.fromisoformat(suite.get("timestamp", "")).replace(tzinfo=UTC)
        start = stamp.timestamp()
        spans[name] = [start, start + float(suite.get("time", "0"))]
    return spans


if __name__ == "__main__":
    print(record(Path(sys.argv[1]), sys.argv[2]))
