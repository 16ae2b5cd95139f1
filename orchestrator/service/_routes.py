"""The service's endpoints. Handlers only translate HTTP to the orchestrator and back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.security import APIKeyHeader
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import HTTPConnection

from contract import (
    API_KEY_HEADER,
    HEALTH_PATH,
    METRICS_PATH,
    ORCHESTRATE_PATH,
    REQUEST_ID_HEADER,
    STATUS_HEADER,
)

from ..contracts import OrchestrationRequest, OrchestrationResponse, Plan
from ..errors import PlanningError
from ._auth import UNAUTHENTICATED_MESSAGE, ApiKeyTable
from ._refusal import ErrorBody, ServiceRefusal

_ERROR_BODY: dict[str, Any] = {"model": ErrorBody}


class TenantApiKey(APIKeyHeader):
    """The `X-API-Key` security scheme, resolved straight to the tenant the key belongs to.

    One dependency rather than the scheme plus a lookup depending on it: FastAPI solves
    each level of dependencies anew on every request, and a level cost more than the
    lookup. A missing or unknown key is 401, with the same message for every case.
    """

    async def __call__(self, connection: HTTPConnection) -> str:
        keys: ApiKeyTable = connection.app.state.api_keys
        tenant_id = keys.tenant_for(connection.headers.get(self.model.name))
        if tenant_id is None:
            raise ServiceRefusal(401, UNAUTHENTICATED_MESSAGE)
        return tenant_id


authenticated_tenant = TenantApiKey(
    name=API_KEY_HEADER,
    # The scheme's name in the published OpenAPI document (the class name by default).
    scheme_name="APIKeyHeader",
    description="Per-tenant API key; the key decides which tenant the request acts for.",
)

router = APIRouter()


@router.post(
    ORCHESTRATE_PATH,
    response_model=OrchestrationResponse,
    summary="Answer one operations question",
    description=(
        "Runs the intent (or explicit plan) in the body for the tenant of the API key in "
        "`X-API-Key`.\n\n"
        "* `tenant_id` in the body is required and must be the key's tenant; naming any "
        "other tenant is refused with 403 (the key, not the body, decides the tenant).\n"
        "* A request the service cannot plan (unknown intent, a parameter the intent does "
        "not take or of the wrong type, a tool that does not exist) is refused with 422 "
        "and is not an orchestration: it is not counted in the orchestration metrics.\n"
        "* Every error answer has the same body: `error` (one line) and `fields`.\n"
        "* Every orchestration outcome - `success`, `partial`, `degraded` or `failed` - is "
        "an answer: HTTP 200 with the status in the body and in the `X-Gauntlet-Status` "
        "header. Non-2xx codes mean the request was not orchestrated at all.\n"
        "* Bodies above the service's limit (64 KiB by default) are refused with 413.\n"
        "* `deadline_seconds` may shorten the service's request deadline (15 s by default), "
        "never extend it: larger values are capped."
    ),
    responses={
        200: {
            "headers": {
                STATUS_HEADER: {
                    "description": "The orchestration status, as in the body.",
                    "schema": {"type": "string"},
                },
                REQUEST_ID_HEADER: {
                    "description": "The request id, as in the body.",
                    "schema": {"type": "string"},
                },
            }
        },
        400: {"description": "The body is not text that could be parsed.", **_ERROR_BODY},
        401: {"description": "Missing or unknown API key.", **_ERROR_BODY},
        403: {"description": "The body names a tenant other than the key's.", **_ERROR_BODY},
        413: {"description": "Request body too large.", **_ERROR_BODY},
        422: {
            "description": "The body is not a valid request (fields named), or it cannot "
            "be planned.",
            **_ERROR_BODY,
        },
    },
)
async def orchestrate(
    body: OrchestrationRequest,
    request: Request,
    tenant_id: str = Depends(authenticated_tenant),
) -> Response:
    if body.tenant_id != tenant_id:
        raise ServiceRefusal(
            403,
            f"tenant_id {body.tenant_id!r} is not the tenant of this API key; "
            "a key may only act for its own tenant",
        )
    cap = request.app.state.max_deadline_seconds
    if cap is not None and body.deadline_seconds is not None and body.deadline_seconds > cap:
        body = body.model_copy(update={"deadline_seconds": cap})
    orchestrator = request.app.state.orchestrator
    plan = _plan_or_refuse(orchestrator, body)
    answer = await orchestrator.orchestrate(body, authenticated=True, plan=plan)
    return Response(
        content=answer.model_dump_json(),
        media_type="application/json",
        headers={STATUS_HEADER: answer.status.value, REQUEST_ID_HEADER: answer.request_id},
    )


def _plan_or_refuse(orchestrator: Any, body: OrchestrationRequest) -> Plan | None:
    """The orchestrator's plan for `body`, or 422 saying why it cannot be planned.

    Planned here, before orchestrating, so that a request that is not a question at all
    gets 422 and never reaches the orchestrator's metrics as a failed orchestration. The
    plan is handed on, so it is made once per request. None when the orchestrator has no
    planner to ask: it then plans for itself.
    """
    planner = getattr(orchestrator, "planner", None)
    if planner is None:
        return None
    try:
        plan: Plan = planner.plan(body)
    except PlanningError as exc:
        raise ServiceRefusal(422, str(exc)) from None
    known = getattr(orchestrator, "tool_ids", None)
    if known is None:
        return plan
    unknown = sorted({call.tool_id for stage in plan.stages for call in stage.calls} - known)
    if unknown:
        raise ServiceRefusal(422, f"unknown tool(s) {unknown}; known tools: {sorted(known)}")
    return plan


@router.get(
    HEALTH_PATH,
    summary="Liveness; per-tool breaker state for a caller with a key",
    description=(
        "Answers 200 while the process serves requests. Without a valid `X-API-Key` the "
        'answer is bare liveness, `{"status": "ok"}`: what the service\'s limits and '
        "breakers say is not for anyone who can reach the port. With one, `tools` is the "
        "orchestrator's statistics record (per tool: breaker state, bulkhead and "
        "rate-limiter figures); an open breaker is reported here, not turned into a failing "
        "health check, so a supervisor does not restart a healthy process because an "
        "upstream is down."
    ),
)
async def healthz(request: Request) -> dict[str, Any]:
    keys: ApiKeyTable = request.app.state.api_keys
    if keys.tenant_for(request.headers.get(API_KEY_HEADER)) is None:
        return {"status": "ok"}
    statistics = request.app.state.orchestrator.statistics()
    return {"status": "ok", "tools": jsonable_encoder(statistics)}


@router.get(
    METRICS_PATH,
    summary="Prometheus metrics",
    description="The orchestrator's metrics plus HTTP request counters and latency, "
    "in the Prometheus text exposition format. Needs a valid `X-API-Key` (401 otherwise): "
    "the figures tell how the service and its upstreams are doing.",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}},
        401: {"description": "Missing or unknown API key.", **_ERROR_BODY},
    },
)
async def metrics(request: Request, _: str = Depends(authenticated_tenant)) -> Response:
    exposition = b"".join(generate_latest(registry) for registry in request.app.state.registries)
    return Response(content=exposition, media_type=CONTENT_TYPE_LATEST)
