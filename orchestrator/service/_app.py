"""The app factory: wires auth, limits, metrics and routes around one orchestrator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from prometheus_client import CollectorRegistry
from starlette.exceptions import HTTPException

from ..contracts import OrchestrationRequest, OrchestrationResponse, Plan
from ._auth import ApiKeyTable
from ._body_limit import DEFAULT_MAX_BODY_BYTES, BodySizeLimit
from ._docs import add_offline_docs
from ._http_metrics import HttpMetrics, HttpMetricsMiddleware
from ._refusal import ServiceRefusal, http_error_handler, refusal_handler, validation_handler
from ._routes import router


class OrchestratorService(Protocol):
    """What the service needs of an orchestrator (`orchestrator.executor.Orchestrator`)."""

    async def orchestrate(
        self,
        request: OrchestrationRequest,
        *,
        authenticated: bool = True,
        plan: Plan | None = None,
    ) -> OrchestrationResponse: ...

    def statistics(self) -> Any: ...

    async def aclose(self) -> None: ...


def create_app(
    orchestrator: OrchestratorService,
    api_keys: Mapping[str, str],
    *,
    metrics_registry: CollectorRegistry | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_deadline_seconds: float | None = None,
    owns_orchestrator: bool = False,
) -> FastAPI:
    """Build the HTTP service for `orchestrator`.

    `api_keys` maps each API key to the tenant id it authenticates. `/metrics` exposes
    `metrics_registry` (default: the orchestrator's `metrics.registry`, when it has one)
    plus the service's own HTTP instruments. A request's `deadline_seconds` is capped
    at `max_deadline_seconds` (default: the orchestrator's `request_deadline_seconds`),
    so a caller cannot hold the service's resources longer than it allows. With
    `owns_orchestrator` the app closes the orchestrator when it shuts down; otherwise
    the caller does.
    """
    if max_body_bytes < 1:
        raise ValueError(f"max_body_bytes must be positive, got {max_body_bytes}")
    app = _documented_app(orchestrator, owns_orchestrator)
    http_metrics = HttpMetrics()
    registry = metrics_registry if metrics_registry is not None else _registry_of(orchestrator)
    app.state.orchestrator = orchestrator
    app.state.api_keys = ApiKeyTable(api_keys)
    app.state.max_deadline_seconds = _deadline_cap(orchestrator, max_deadline_seconds)
    app.state.registries = [r for r in (registry, http_metrics.registry) if r is not None]
    app.state.http_metrics = http_metrics
    # One error body everywhere (see `ErrorBody`), FastAPI's own 422 and 404/405 included.
    app.add_exception_handler(ServiceRefusal, refusal_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(HTTPException, http_error_handler)
    app.include_router(router)
    # Added last = outermost: oversized bodies are refused before routing, and still counted.
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(HttpMetricsMiddleware, metrics=http_metrics)
    return app


def _deadline_cap(orchestrator: OrchestratorService, cap: float | None) -> float | None:
    """The longest deadline a request may ask for: `cap`, else the orchestrator's own."""
    if cap is None:
        cap = getattr(orchestrator, "request_deadline_seconds", None)
    if cap is not None and cap <= 0:
        raise ValueError(f"max_deadline_seconds must be positive, got {cap}")
    return cap


def _documented_app(orchestrator: OrchestratorService, owns_orchestrator: bool) -> FastAPI:
    """The bare app with its description and offline docs; it closes `orchestrator` on
    shutdown when it owns it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_orchestrator:
                await orchestrator.aclose()

    app = FastAPI(
        title="Gauntlet reference orchestrator",
        version="0.1.0",
        description=(
            "Answers operations questions by running tools in parallel stages and returns "
            "one honest status: `success`, `partial`, `degraded` or `failed`.\n\n"
            "Authenticate with a per-tenant API key in the `X-API-Key` header."
        ),
        lifespan=lifespan,
        docs_url=None,  # served offline by add_offline_docs; ReDoc has no offline bundle
        redoc_url=None,
    )
    add_offline_docs(app)
    return app


def _registry_of(orchestrator: object) -> CollectorRegistry | None:
    registry = getattr(getattr(orchestrator, "metrics", None), "registry", None)
    return registry if isinstance(registry, CollectorRegistry) else None
