"""The wire: the paths, headers and request body every system under test speaks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ORCHESTRATE_PATH = "/v1/orchestrate"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"

API_KEY_HEADER = "X-API-Key"
STATUS_HEADER = "X-Gauntlet-Status"
REQUEST_ID_HEADER = "X-Request-ID"


def request_body(
    tenant_id: str,
    intent: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    request_id: str | None = None,
    deadline_seconds: float | None = None,
) -> dict[str, Any]:
    """The JSON body of `POST /v1/orchestrate` asking `intent` for `tenant_id`.

    Optional fields are left out rather than sent as null, so a system that does not
    know them never has to accept them."""
    body: dict[str, Any] = {
        "tenant_id": tenant_id,
        "intent": intent,
        "parameters": dict(parameters or {}),
    }
    if request_id is not None:
        body["request_id"] = request_id
    if deadline_seconds is not None:
        body["deadline_seconds"] = deadline_seconds
    return body
