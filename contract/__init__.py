"""The contract between Gauntlet and ANY system under test.

The harness judges a system only through what is named here: the wire (paths, headers,
the request body), the statuses and what each promises, the closed set of error codes
and their classes, the environment a system is started with, the tools and intents with
their parameter schemas, the database roles, and `openapi.json` (the HTTP API, as the
reference serves it). This package imports nothing else of the project.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from ._environment import (
    API_KEYS,
    AUDIT_DSN,
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
    ContractEnvironmentError,
    default_spool_dir,
    environment,
    listen_address,
    setting_variable,
    settings_from_env,
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

OPENAPI_DOCUMENT = Path(str(files(__name__) / "openapi.json"))
"""The HTTP API every system under test serves, as a JSON OpenAPI document."""

__all__ = [
    "API_KEYS",
    "API_KEY_HEADER",
    "AUDIT_DSN",
    "BREAKER_COOL_DOWN",
    "BREAKER_FAILURE_THRESHOLD",
    "ERROR_CLASSES",
    "HEALTH_PATH",
    "HOST",
    "INTENTS",
    "MAX_BODY_BYTES",
    "METRICS_DSN",
    "METRICS_PATH",
    "OPENAPI_DOCUMENT",
    "OPS_DSN",
    "ORCHESTRATE_PATH",
    "PORT",
    "RATE_LIMITS",
    "REQUEST_DEADLINE",
    "REQUEST_ID_HEADER",
    "REQUIRED",
    "SETTINGS",
    "SPOOL_DIR",
    "STATUS_DEFINITIONS",
    "STATUS_HEADER",
    "TENANTS_GROUP_ROLE",
    "TENANT_ROLE_PREFIX",
    "TOOLS",
    "TOOL_IDS",
    "ContractEnvironmentError",
    "ErrorClass",
    "Intent",
    "Status",
    "ToolErrorCode",
    "codes_of",
    "default_spool_dir",
    "environment",
    "listen_address",
    "parameter_error",
    "request_body",
    "setting_variable",
    "settings_from_env",
    "status_of",
    "tenant_role",
    "upstream_health_codes",
]
