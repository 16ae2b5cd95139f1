"""The environment a system under test is started with: the variables, and both ways
between them and a deployment's settings.

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
    GAUNTLET_AUDIT_SPOOL_MAX_BYTES     the most the audit records waiting in the spool may
                                       take (640 MiB)

Declared upstreams (one per name the system declares in its promises' `upstreams`):
    GAUNTLET_UPSTREAM_<NAME>           host:port of Gauntlet's proxy in front of it
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
AUDIT_SPOOL_MAX_BYTES = "GAUNTLET_AUDIT_SPOOL_MAX_BYTES"
# One variable per declared upstream: the prefix, then the name in capitals.
UPSTREAM_PREFIX = "GAUNTLET_UPSTREAM_"

REQUIRED = (OPS_DSN, METRICS_DSN, AUDIT_DSN, API_KEYS)

# Setting name -> (variable, whether its value is JSON). A setting is what a deployment
# says (`ops_dsn`, `request_deadline_seconds`, ...); the variable is how it travels.
SETTINGS: Mapping[str, tuple[str, bool]] = {
    "ops_dsn": (OPS_DSN, False),
    "metrics_dsn": (METRICS_DSN, False),
    "audit_dsn": (AUDIT_DSN, False),
    "api_keys": (API_KEYS, True),
    "spool_dir": (SPOOL_DIR, False),
    "request_deadline_seconds": (REQUEST_DEADLINE, False),
    "rate_limits": (RATE_LIMITS, True),
    "max_body_bytes": (MAX_BODY_BYTES, False),
    "breaker_failure_threshold": (BREAKER_FAILURE_THRESHOLD, False),
    "breaker_cool_down_seconds": (BREAKER_COOL_DOWN, False),
    "audit_spool_max_bytes": (AUDIT_SPOOL_MAX_BYTES, False),
}


class ContractEnvironmentError(ValueError):
    """One line naming the variable that is missing or malformed."""


def environment(settings: Mapping[str, Any], *, port: int | None = None) -> dict[str, str]:
    """The variables for a deployment's `settings` (names as in `SETTINGS`); a setting
    that is None or an empty rate-limit table is left out."""
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise ContractEnvironmentError(f"unknown setting(s) {unknown}; expected {sorted(SETTINGS)}")
    env: dict[str, str] = {}
    for name, value in settings.items():
        variable, is_json = SETTINGS[name]
        if value is None or (name == "rate_limits" and not value):
            continue
        if is_json:
            env[variable] = json.dumps(value)
        elif isinstance(value, float):
            env[variable] = repr(value)  # round-trips exactly
        else:
            env[variable] = str(value)
    if port is not None:
        env[PORT] = str(port)
    return env


def settings_from_env(environ: Mapping[str, str]) -> dict[str, object]:
    """The settings the variables in `environ` carry (values still as text, JSON ones
    parsed); a missing required variable or bad JSON is one `ContractEnvironmentError` line."""
    missing = [name for name in REQUIRED if not environ.get(name)]
    if missing:
        raise ContractEnvironmentError(f"environment: {', '.join(missing)} must be set")
    settings: dict[str, object] = {}
    for name, (variable, is_json) in SETTINGS.items():
        text = environ.get(variable)
        if text:
            settings[name] = _json(variable, text) if is_json else text
    settings.setdefault("spool_dir", default_spool_dir(environ))
    return settings


def upstream_variable(name: str) -> str:
    """The variable that tells the system where declared upstream `name` is:
    `GAUNTLET_UPSTREAM_CACHE` for `cache`."""
    return UPSTREAM_PREFIX + name.upper()


def upstream_environment(addresses: Mapping[str, str]) -> dict[str, str]:
    """The variables for declared upstreams: name -> the `host:port` to connect to."""
    return {upstream_variable(name): address for name, address in addresses.items()}


def upstreams_from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Declared upstream name -> `host:port`, read back from `GAUNTLET_UPSTREAM_*`."""
    return {
        variable.removeprefix(UPSTREAM_PREFIX).lower(): address
        for variable, address in environ.items()
        if variable.startswith(UPSTREAM_PREFIX) and len(variable) > len(UPSTREAM_PREFIX)
    }


def setting_variable(setting: str) -> str:
    """The variable that carries `setting` (for error messages)."""
    return SETTINGS[setting][0] if setting in SETTINGS else setting


def listen_address(environ: Mapping[str, str]) -> tuple[str, int]:
    """(host, port) from `GAUNTLET_HOST` and `PORT`."""
    text = environ.get(PORT, "")
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ContractEnvironmentError(
            f"{PORT}: expected a TCP port number (1-65535), got {text!r}"
        )
    return environ.get(HOST) or "127.0.0.1", int(text)


def default_spool_dir(environ: Mapping[str, str]) -> Path:
    state = environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "gauntlet" / "audit-spool"


def _json(variable: str, text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractEnvironmentError(
            f"{variable}: not valid JSON: {exc.msg} at column {exc.colno}"
        ) from None
