"""The service's configuration, and `app_from_env` for `uvicorn --factory`.

A worker process started by `uvicorn --workers N` shares nothing with its parent but
the environment, so everything it needs to build its own orchestrator (DSNs, spool
directory, API keys) comes from the environment contract (`_env_contract.py`), or from
one JSON file named by `GAUNTLET_SERVICE_CONFIG` (the same fields, for a deployment that
prefers a file to variables).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._body_limit import DEFAULT_MAX_BODY_BYTES

CONFIG_ENV_VAR = "GAUNTLET_SERVICE_CONFIG"


class ServiceConfigError(ValueError):
    """The configuration file is missing or malformed; the message is one line."""


class RateLimit(BaseModel):
    """A deployment's token bucket for one tool: sustained calls per minute, and at once."""

    model_config = ConfigDict(extra="forbid")

    per_minute: int = Field(ge=1)
    burst: int | None = Field(default=None, ge=1)


class ServiceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ops_dsn: str = Field(min_length=1)
    metrics_dsn: str = Field(min_length=1)
    audit_dsn: str = Field(min_length=1)
    spool_dir: Path
    api_keys: dict[str, str] = Field(min_length=1, description="API key -> tenant id")
    request_deadline_seconds: float = Field(default=15.0, gt=0, le=300)
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1, le=16 * 1024 * 1024)
    # Rate limits are the deployment's to set (what the upstream can take), by tool id.
    rate_limits: dict[str, RateLimit] = Field(default_factory=dict)
    # The breaker opens after this many consecutive upstream failures, and refuses for
    # the cool-down before it lets one probe through.
    breaker_failure_threshold: int = Field(default=5, ge=1, le=1000)
    breaker_cool_down_seconds: float = Field(default=5.0, gt=0, le=300)
    # The most the audit records waiting for the database may take in the spool; None:
    # the spool's own bound (`MAX_PENDING_BYTES`). A deployment on a small disk sets less.
    audit_spool_max_bytes: int | None = Field(default=None, ge=1, le=2**50)


def load_service_config(path: str | os.PathLike[str]) -> ServiceConfig:
    """Read and validate a config file; any problem is a `ServiceConfigError` naming it."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ServiceConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ServiceConfigError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
        ) from None
    try:
        return ServiceConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'top level'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ServiceConfigError(f"{path}: {problems}") from None


def write_service_config(path: str | os.PathLike[str], config: ServiceConfig) -> Path:
    """Write `config` where `app_from_env` can read it (readable by the owner only: it
    holds API keys)."""
    target = Path(path)
    target.write_text(config.model_dump_json(indent=2), encoding="utf-8")
    target.chmod(0o600)
    return target


def build_app(config: ServiceConfig) -> FastAPI:
    """Tools, planner and orchestrator from `config`, behind the HTTP service.

    The app owns the orchestrator and closes it (and so the tools' pools) on shutdown.
    """
    # Imported here so the service package imports without the data layer (tests,
    # tooling); a worker process needs it anyway.
    from ..call_policy import PolicySettings
    from ..deadline import LingeringTasks
    from ..executor import Orchestrator
    from ..intents import register_ops_intents
    from ..metrics import OrchestratorMetrics
    from ..planner import Planner
    from ..tools import build_tools
    from ._app import create_app

    config.spool_dir.mkdir(parents=True, exist_ok=True)
    lingering = LingeringTasks()  # one registry of abandoned work, shared with the pools
    tools = build_tools(
        config.ops_dsn,
        config.metrics_dsn,
        config.audit_dsn,
        spool_dir=config.spool_dir,
        audit_spool_max_bytes=config.audit_spool_max_bytes,
        lingering=lingering,
    )
    _apply_rate_limits(tools, config.rate_limits)
    planner = Planner()
    register_ops_intents(planner)
    metrics = OrchestratorMetrics()
    orchestrator = Orchestrator(
        tools,
        planner=planner,
        metrics=metrics,
        request_deadline_seconds=config.request_deadline_seconds,
        lingering=lingering,
        policy=PolicySettings(
            breaker_failure_threshold=config.breaker_failure_threshold,
            breaker_cool_down_seconds=config.breaker_cool_down_seconds,
        ),
    )
    return create_app(
        orchestrator,
        config.api_keys,
        metrics_registry=metrics.registry,
        max_body_bytes=config.max_body_bytes,
        owns_orchestrator=True,
    )


def _apply_rate_limits(tools: list[Any], limits: dict[str, RateLimit]) -> None:
    from ..capabilities import ToolCapability

    by_id = {tool.capability.tool_id: tool for tool in tools}
    unknown = sorted(set(limits) - set(by_id))
    if unknown:
        raise ServiceConfigError(f"rate_limits: unknown tools {unknown}; known: {sorted(by_id)}")
    for tool_id, limit in limits.items():
        tool = by_id[tool_id]
        tool.capability = ToolCapability.build(
            **{
                **tool.capability.model_dump(),
                "rate_limit_per_minute": limit.per_minute,
                "rate_limit_burst": limit.burst,
            }
        )


def app_from_env() -> FastAPI:
    """App factory for `uvicorn --factory orchestrator.service:app_from_env`.

    Reads the config file named by `GAUNTLET_SERVICE_CONFIG` when it is set, otherwise
    the environment contract (`GAUNTLET_OPS_DSN`, ... see `_env_contract.py`)."""
    from ._env_contract import config_from_env

    path = os.environ.get(CONFIG_ENV_VAR)
    if path:
        return build_app(load_service_config(path))
    try:
        config = config_from_env()
    except ServiceConfigError as exc:
        raise ServiceConfigError(f"{exc} (or {CONFIG_ENV_VAR}: a JSON config file)") from None
    return build_app(config)
