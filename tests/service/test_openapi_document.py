"""The contract's reference: the committed OpenAPI document is the service's own.

Regenerate after changing an endpoint or a contract model:
    GAUNTLET_WRITE_OPENAPI=1 .venv/bin/python -m pytest tests/service/test_openapi_document.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from service_support import API_KEYS, make_orchestrator

from orchestrator.service import create_app

DOCUMENT = Path(__file__).resolve().parents[2] / "orchestrator" / "service" / "openapi.json"


def test_the_committed_openapi_document_is_the_services() -> None:
    served = create_app(make_orchestrator(), API_KEYS).openapi()
    text = json.dumps(served, indent=2, sort_keys=True) + "\n"
    if os.environ.get("GAUNTLET_WRITE_OPENAPI"):
        DOCUMENT.write_text(text, encoding="utf-8")
    assert DOCUMENT.read_text(encoding="utf-8") == text, (
        "orchestrator/service/openapi.json is stale: regenerate it (see this test's docstring)"
    )
    assert {"/v1/orchestrate", "/healthz"} <= set(served["paths"])
