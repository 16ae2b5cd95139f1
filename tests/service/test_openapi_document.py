"""The contract's `openapi.json` is what the reference serves.

Regenerate after changing an endpoint or a contract model:
    GAUNTLET_WRITE_OPENAPI=1 .venv/bin/python -m pytest tests/service/test_openapi_document.py
"""

from __future__ import annotations

import json
import os

from service_support import API_KEYS, make_orchestrator

from contract import HEALTH_PATH, METRICS_PATH, OPENAPI_DOCUMENT, ORCHESTRATE_PATH
from orchestrator.service import create_app

DOCUMENT = OPENAPI_DOCUMENT


def test_the_committed_openapi_document_is_the_services() -> None:
    served = create_app(make_orchestrator(), API_KEYS).openapi()
    text = json.dumps(served, indent=2, sort_keys=True) + "\n"
    if os.environ.get("GAUNTLET_WRITE_OPENAPI"):
        DOCUMENT.write_text(text, encoding="utf-8")
    assert DOCUMENT.read_text(encoding="utf-8") == text, (
        "contract/openapi.json is stale: regenerate it (see this test's docstring)"
    )
    assert {ORCHESTRATE_PATH, HEALTH_PATH, METRICS_PATH} <= set(served["paths"])
