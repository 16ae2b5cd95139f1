"""The wire: `POST /v1/orchestrate` and `GET /healthz` on aiohttp.

Refusals come before any orchestration, in this order: 413 (body too large), 401 (no or
unknown key), 400 (not JSON), 422 (not a plannable request), 403 (another tenant). Every
error body is `{"error": one line, "fields": [...]}`.
"""

from __future__ import annotations

import json
from typing import Any

from _executor import Orchestrator
from _plans import Invalid, plan_request
from aiohttp import web

ORCHESTRATOR = web.AppKey("orchestrator", Orchestrator)


def refusal(status: int, error: str, fields: list[dict[str, Any]] | None = None) -> web.Response:
    return web.json_response({"error": error, "fields": fields or []}, status=status)


@web.middleware
async def error_bodies(request: web.Request, handler) -> web.StreamResponse:
    """Unknown paths and methods answer in the same body shape as every other refusal."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return refusal(exc.status, exc.reason or "refused")


async def _body(request: web.Request, limit: int) -> bytes | None:
    """The body, or None when it is over `limit` (by Content-Length or while reading)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def orchestrate(request: web.Request) -> web.Response:
    orchestrator = request.app[ORCHESTRATOR]
    settings = orchestrator.settings
    raw = await _body(request, settings.max_body_bytes)
    if raw is None:
        return refusal(413, f"the body is over {settings.max_body_bytes} bytes")
    tenant = settings.api_keys.get(request.headers.get("X-API-Key", ""))
    if tenant is None:
        return refusal(401, "missing or unknown API key")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return refusal(400, "the body is not JSON")
    try:
        plan = plan_request(body)
    except Invalid as bad:
        return refusal(422, bad.message, [{"loc": bad.loc, "message": bad.message}])
    if plan.tenant != tenant:
        return refusal(403, "tenant_id is not the tenant of this API key")
    answer = await orchestrator.orchestrate(plan)
    headers = {"X-Gauntlet-Status": answer["status"], "X-Request-ID": answer["request_id"]}
    return web.json_response(answer, headers=headers)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "tools": request.app[ORCHESTRATOR].statistics()})


def make_app(orchestrator: Orchestrator) -> web.Application:
    app = web.Application(middlewares=[error_bodies])
    app[ORCHESTRATOR] = orchestrator
    app.router.add_post("/v1/orchestrate", orchestrate)
    app.router.add_get("/healthz", healthz)
    return app
