"""The orchestrator's HTTP service (FastAPI).

    create_app(orchestrator, api_keys, *, metrics_registry=None) -> FastAPI
    app_from_env() -> FastAPI          # uvicorn --factory orchestrator.service:app_from_env
    config_from_env(environ) -> ServiceConfig   # the system-under-test contract's variables
    env_from_config(config, port=) -> dict      # ... and back
    python -m orchestrator.service     # the reference orchestrator, from that contract
    serve_until_stopped(app, StopSignals(), sockets=[...])  # SIGTERM/SIGINT stop it, always

Endpoints: `POST /v1/orchestrate`, `GET /healthz`, `GET /metrics`, OpenAPI at `/docs`.
"""

from ._app import OrchestratorService, create_app
from ._auth import ApiKeyTable
from ._body_limit import DEFAULT_MAX_BODY_BYTES
from ._config import (
    CONFIG_ENV_VAR,
    ServiceConfig,
    ServiceConfigError,
    app_from_env,
    build_app,
    load_service_config,
    write_service_config,
)
from ._env_contract import config_from_env, env_from_config
from ._graceful_stop import StopSignals, serve_until_stopped
from ._listener import bind_listener
from ._routes import REQUEST_ID_HEADER, STATUS_HEADER

__all__ = [
    "CONFIG_ENV_VAR",
    "DEFAULT_MAX_BODY_BYTES",
    "REQUEST_ID_HEADER",
    "STATUS_HEADER",
    "ApiKeyTable",
    "OrchestratorService",
    "ServiceConfig",
    "ServiceConfigError",
    "StopSignals",
    "app_from_env",
    "bind_listener",
    "build_app",
    "config_from_env",
    "create_app",
    "env_from_config",
    "load_service_config",
    "serve_until_stopped",
    "write_service_config",
]
