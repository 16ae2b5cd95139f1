"""How one HTTP exchange with the service is judged: a pure function, no Locust here.

`partial`, `degraded` and `failed` orchestrations are answers, so each gets its own
line in Locust's statistics (`orchestrate [partial]` ...) and is not a Locust failure.
A transport error, an unreadable body and any HTTP status >= 400 are failures: the
service did not answer the question at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REQUEST_LABEL = "orchestrate"
STATUSES = ("success", "partial", "degraded", "failed")


@dataclass(frozen=True)
class Outcome:
    request_name: str  # the line in Locust's statistics
    status: str  # the orchestration status recorded in the observation
    failure: str | None  # a reason when Locust must count a failure
    tool_errors: dict[str, str] = field(default_factory=dict)
    fallback_used: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def judge_response(http_status: int, body: Any, transport_error: str | None) -> Outcome:
    """Classify one exchange; `http_status` 0 means no HTTP response arrived."""
    if transport_error is not None or http_status == 0:
        reason = transport_error or "no response"
        return Outcome(
            f"{REQUEST_LABEL} [transport error]",
            "failed",
            reason,
            extra={"transport_error": reason},
        )
    if http_status >= 400:
        return Outcome(
            f"{REQUEST_LABEL} [http {http_status}]",
            "failed",
            f"HTTP {http_status}",
            extra={"http_status": http_status},
        )
    status = body.get("status") if isinstance(body, dict) else None
    if status not in STATUSES:
        return Outcome(
            f"{REQUEST_LABEL} [bad body]",
            "failed",
            f"HTTP {http_status} body has no valid 'status' (got {status!r})",
            extra={"http_status": http_status},
        )
    tool_errors: dict[str, str] = {}
    fallback_used = False
    for result in body.get("results") or []:
        if not isinstance(result, dict):
            continue
        fallback_used = fallback_used or bool(result.get("fallback_used"))
        code = result.get("error_code")
        if code and not result.get("success", False):
            tool_errors[str(result.get("tool_id") or result.get("call_id"))] = str(code)
    return Outcome(
        f"{REQUEST_LABEL} [{status}]",
        status,
        None,
        tool_errors,
        fallback_used,
        {"http_status": http_status},
    )
