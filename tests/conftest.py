"""Every report.json a test writes (anywhere under its tmp_path) must validate against the
published schema: the check runs after each test, whatever the test was about."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from slo.report_schema import report_json_schema


@pytest.fixture(autouse=True)
def _reports_follow_their_schema(tmp_path: Path) -> Iterator[None]:
    yield
    for report in tmp_path.rglob("report.json"):
        try:
            document = json.loads(report.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue  # a hand-made bad input (a test of the baseline loader), not a report
        if isinstance(document, dict) and "verdict" in document:
            jsonschema.validate(document, report_json_schema())
