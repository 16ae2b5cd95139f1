"""The system-under-test contract: everything a service needs, read from the environment.

Gauntlet starts any system under test (the reference orchestrator included) the same way:
one command, this environment, and `GET /healthz` answering 200 when it is ready.

Required:
    GAUNTLET_OPS_DSN       ops database (read-only role), through Gauntlet's `ops` proxy
    GAUNTLET_METRICS_DSN   metrics database, through the `metrics` proxy
    GAUNTLET_AUDIT_DSN     audit writer (append-only role), through the `ops` proxy
    GAUNTLET_API_KEYS      JSON object: API key -> tenant id
    PORT                   the TCP port to serve on

Optional (the reference orchestrator's own knobs; another system may ignore them):
    GAUNTLET_HOST                      address to listen on (default 127.0.0.1)
    GAUNTLET_SPOOL_DIR                 audit spool folder (default under $XDG_STATE_HOME)
    GAUNTLET_REQUEST_DEADLINE_SECONDS  the service's request deadline (default 15)
    GAUNTLET_RATE_LIMITS               JSON: tool id -> {"per_minute": N, "burst": M}
    GAUNTLET_MAX_BODY_BYTES            request body limit (default 64 KiB)
    GAUNTLET_BREAKER_FAILURE_THRESHOLD consecutive upstream failures that open a breaker (5)
    GAUNTLET_BREAKER_COOL_DOWN_SECONDS how long an open breaker refuses before a probe (5)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from ._config import ServiceConfig, ServiceConfigError

OPS_DSN = "GAUNTLET_OPS_DSN"
METRICS_DSN = "GAUNTLET_METRICS_DSN"
AUDIT_DSN = "GAUNTLET_AUDIT_DSN"
API_KEYS = "GAUNTLET_API_KEYS"
PORT = "PORT"
HOST = "GAUNTLET_HOST"
SPOOL_DIR = "GAUNTLET_SPOOL_DIR"
REQUEST_DEADLINE = "GAUNTLET_REQUEST_DEADLINE_SECONDS"
RATE_LIMITS = "GAUNTLET_RATE_LIMITS"
MAX_BODY_BYTES = "GAUNTLET_MAX_BODY_BYTES"
BREAKER_FAILURE_THRESHOLD = "GAUNTLET_BREAKER_FAILURE_THRESHOLD"
BREAKER_COOL_DOWN = "GAUNTLET_BREAKER_COOL_DOWN_SECONDS"

REQUIRED = (OPS_DSN, METRICS_DSN, AUDIT_DSN, API_KEYS)
# Optional variable -> the ServiceConfig field it sets, and whether its value is JSON.
_OPTIONAL_FIELDS = {
    REQUEST_DEADLINE: ("request_deadline_seconds", False),
    RATE_LIMITS: ("rate_limits", True),
    MAX_BODY_BYTES: ("max_body_bytes", False),
    BREAKER_FAILURE_THRESHOLD: ("breaker_failure_threshold", False),
    BREAKER_COOL_DOWN: ("breaker_cool_down_seconds", False),
}
_FIELD_VARS = {
    "ops_dsn": OPS_DSN,
    "metrics_dsn": METRICS_DSN,
    "audit_dsn": AUDIT_DSN,
    "api_keys": API_KEYS,
    "spool_dir": SPOOL_DIR,
    **{field: name for name, (field, _) in _OPTIONAL_FIELDS.items()},
}


def default_spool_dir(environ: Mapping[str, str]) -> Path:
    state = environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "gauntlet" / "audit-spool"


def config_from_env(environ: Mapping[str, str] | None = None) -> ServiceConfig:
    """The service's configuration from the contract's variables; any problem is one
    `ServiceConfigError` line naming the variable."""
    env = os.environ if environ is None else environ
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise ServiceConfigError(f"environment: {', '.join(missing)} must be set")
    raw: dict[str, object] = {
        "ops_dsn": env[OPS_DSN],
        "metrics_dsn": env[METRICS_DSN],
        "audit_dsn": env[AUDIT_DSN],
        "api_keys": _json(env, API_KEYS),
        "spool_dir": env.get(SPOOL_DIR) or default_spool_dir(env),
    }
    for name, (field, is_json) in _OPTIONAL_FIELDS.items():
        if env.get(name):
            raw[field] = _json(env, name) if is_json else env[name]
    try:
        return ServiceConfig.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = [str(part) for part in error["loc"]]
        variable = _FIELD_VARS.get(where[0], where[0]) if where else "environment"
        inside = f" ({'.'.join(where[1:])})" if len(where) > 1 else ""
        raise ServiceConfigError(f"{variable}{inside}: {error['msg']}") from None


def listen_address(environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    """(host, port) from `GAUNTLET_HOST` and `PORT`."""
    env = os.environ if environ is None else environ
    text = env.get(PORT, "")
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ServiceConfigError(f"{PORT}: expected a TCP port number (1-65535), got {text!r}")
    return env.get(HOST) or "127.0.0.1", int(text)


def env_from_config(config: ServiceConfig, *, port: int | None = None) -> dict[str, str]:
    """The contract's variables for `config` (the inverse of `config_from_env`)."""
    env = {
        OPS_DSN: config.ops_dsn,
        METRICS_DSN: config.metrics_dsn,
        AUDIT_DSN: config.audit_dsn,
        API_KEYS: json.dumps(config.api_keys),
        SPOOL_DIR: str(config.spool_dir),
        REQUEST_DEADLINE: repr(config.request_deadline_seconds),
        MAX_BODY_BYTES: str(config.max_body_bytes),
        BREAKER_FAILURE_THRESHOLD: str(config.breaker_failure_threshold),
        BREAKER_COOL_DOWN: repr(config.breaker_cool_down_seconds),
    }
    if config.rate_limits:
        env[RATE_LIMITS] = json.dumps(
            {
                tool: limit.model_dump(exclude_none=True)
                for tool, limit in config.rate_limits.items()
            }
        )
    if port is not None:
        env[PORT] = str(port)
    return env


def _json(env: Mapping[str, str], name: str) -> object:
    try:
        return json.loads(env[name])
    except json.JSONDecodeError as exc:
        raise ServiceConfigError(
            f"{name}: not valid JSON: {exc.msg} at column {exc.colno}"
        ) from None
