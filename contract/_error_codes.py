"""The closed set of error codes, and the class each belongs to.

    security   refused on purpose: never retried, never falls back
    transient  the upstream failed and may answer a second try: an idempotent read is
               retried, and a circuit breaker counts it against the upstream
    upstream   the upstream did not answer in time: a breaker counts it, but it is not
               retried (the call's deadline is spent)
    caller     not the upstream's health: the request, the system's own limits (rate,
               concurrency, size, an open breaker), an answer that did not fit, or a bug

A breaker counts `transient` and `upstream` failures (see `upstream_health_codes`).
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class ToolErrorCode(StrEnum):
    """The closed set of ways a tool call can fail; every failure maps to exactly one."""

    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"
    UPSTREAM_ERROR = "upstream_error"
    SCHEMA_MISMATCH = "schema_mismatch"
    RATE_LIMITED = "rate_limited"
    CONCURRENCY_LIMIT = "concurrency_limit"
    # The tool's breaker is open: refused at once, nothing reached the upstream. Its own
    # code (not connection_error) so the cause shows, and so it is never retried and
    # never counted as one more upstream failure.
    CIRCUIT_OPEN = "circuit_open"
    RESULT_TOO_LARGE = "result_too_large"
    UNSAFE_QUERY = "unsafe_query"
    TENANT_VIOLATION = "tenant_violation"
    UNAUTHENTICATED = "unauthenticated"
    DEPENDENCY_FAILED = "dependency_failed"
    CANCELLED = "cancelled"
    INVALID_ARGUMENTS = "invalid_arguments"
    INTERNAL_ERROR = "internal_error"

    @property
    def error_class(self) -> ErrorClass:
        return ERROR_CLASSES[self]

    @property
    def is_security(self) -> bool:
        """A security refusal never falls back and never retries."""
        return ERROR_CLASSES[self] is ErrorClass.SECURITY


class ErrorClass(StrEnum):
    SECURITY = "security"
    TRANSIENT = "transient"
    UPSTREAM = "upstream"
    CALLER = "caller"


_C = ToolErrorCode
ERROR_CLASSES = MappingProxyType(
    {
        _C.UNSAFE_QUERY: ErrorClass.SECURITY,
        _C.TENANT_VIOLATION: ErrorClass.SECURITY,
        _C.UNAUTHENTICATED: ErrorClass.SECURITY,
        _C.CONNECTION_ERROR: ErrorClass.TRANSIENT,
        _C.UPSTREAM_ERROR: ErrorClass.TRANSIENT,
        _C.TIMEOUT: ErrorClass.UPSTREAM,
        _C.SCHEMA_MISMATCH: ErrorClass.CALLER,
        _C.CIRCUIT_OPEN: ErrorClass.CALLER,
        _C.RATE_LIMITED: ErrorClass.CALLER,
        _C.CONCURRENCY_LIMIT: ErrorClass.CALLER,
        _C.RESULT_TOO_LARGE: ErrorClass.CALLER,
        _C.DEPENDENCY_FAILED: ErrorClass.CALLER,
        _C.CANCELLED: ErrorClass.CALLER,
        _C.INVALID_ARGUMENTS: ErrorClass.CALLER,
        _C.INTERNAL_ERROR: ErrorClass.CALLER,
    }
)


def codes_of(error_class: ErrorClass) -> frozenset[ToolErrorCode]:
    return frozenset(code for code, cls in ERROR_CLASSES.items() if cls is error_class)


def upstream_health_codes() -> frozenset[ToolErrorCode]:
    """The failures that say something about the upstream's health."""
    return codes_of(ErrorClass.TRANSIENT) | codes_of(ErrorClass.UPSTREAM)
