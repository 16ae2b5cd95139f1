"""The contract between Gauntlet and ANY system under test.

The harness judges a system only through what is named here: the wire (paths, headers,
the request body), the statuses and what each promises, the closed set of error codes
and their classes, the environment a system is started with, the tools and intents with
their parameter schemas, the database roles, the promises a system declares about its own
resilience (`Promises`), and `openapi.json` (the HTTP API, as the
reference serves it). This package imports nothing else of the project.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from ._environment import (
    API_KEYS,
    AUDIT_DSN,
    AUDIT_SPOOL_MAX_BYTES,
    BREAKER_COOL_DOWN,
    BREAKER_FAILURE_THRESHOLD,
    HOST,
    MAX_BODY_BYTES,
    METRICS_DSN,
    OPS_DSN,
    PORT,
    RATE_LIMITS,
    REQUEST_DEADLINE,
    REQUIRED,
    SETTINGS,
    SPOOL_DIR,
    UPSTREAM_PREFIX,
    ContractEnvironmentError,
    default_spool_dir,
    environment,
    listen_address,
    setting_variable,
    settings_from_env,
    upstream_environment,
    upstream_variable,
    upstreams_from_env,
)
from ._error_codes import ERROR_CLASSES, ErrorClass, ToolErrorCode, codes_of, upstream_health_codes
from ._intents import INTENTS, Intent, parameter_error
from ._roles import TENANT_ROLE_PREFIX, TENANTS_GROUP_ROLE, tenant_role
from ._status import STATUS_DEFINITIONS, Status, status_of
from ._tools import TOOL_IDS, TOOLS
from ._wire import (
    API_KEY_HEADER,
    HEALTH_PATH,
    METRICS_PATH,
    ORCHESTRATE_PATH,
    REQUEST_ID_HEADER,
    STATUS_HEADER,
    request_body,
)

_PROMISE_NAMES = frozenset(
    {
        "PROMISED_QUANTITIES",
        "BreakerPromise",
        "BulkheadPromise",
        "Promises",
        "RateLimitPromise",
        "promises_json_schema",
        "promises_json_schema_text",
    }
)


def __getattr__(name: str) -> object:
    # The promises need pydantic; loaded on first use so `gauntlet --help` stays light.
    if name in _PROMISE_NAMES:
        from . import _promises

        return getattr(_promises, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


OPENAPI_DOCUMENT = Path(str(files(__name__) / "openapi.json"))
"""The HTTP API every system under test serves, as a JSON OpenAPI document."""

__all__ = [
    "API_KEYS",
    "API_KEY_HEADER",
    "AUDIT_DSN",
    "AUDIT_SPOOL_MAX_BYTES",
    "BREAKER_COOL_DOWN",
    "BREAKER_FAILURE_THRESHOLD",
    "BreakerPromise",
    "BulkheadPromise",
    "ContractEnvironmentError",
    "ERROR_CLASSES",
    "ErrorClass",
    "HEALTH_PATH",
    "HOST",
    "INTENTS",
    "Intent",
    "MAX_BODY_BYTES",
    "METRICS_DSN",
    "METRICS_PATH",
    "OPENAPI_DOCUMENT",
    "OPS_DSN",
    "ORCHESTRATE_PATH",
    "PORT",
    "PROMISED_QUANTITIES",
    "Promises",
    "RATE_LIMITS",
    "REQUEST_DEADLINE",
    "REQUEST_ID_HEADER",
    "REQUIRED",
    "RateLimitPromise",
    "SETTINGS",
    "SPOOL_DIR",
    "STATUS_DEFINITIONS",
    "STATUS_HEADER",
    "Status",
    "TENANTS_GROUP_ROLE",
    "TENANT_ROLE_PREFIX",
    "TOOLS",
    "TOOL_IDS",
    "ToolErrorCode",
    "UPSTREAM_PREFIX",
    "codes_of",
    "default_spool_dir",
    "environment",
    "listen_address",
    "parameter_error",
    "promises_json_schema",
    "promises_json_schema_text",
    "request_body",
    "setting_variable",
    "settings_from_env",
    "status_of",
    "tenant_role",
    "upstream_environment",
    "upstream_health_codes",
    "upstream_variable",
    "upstreams_from_env",
]
