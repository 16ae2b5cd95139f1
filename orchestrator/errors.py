"""Exceptions raised inside the orchestrator.

    Exception
    ├── CapabilityError        a capability or the registry was given bad values
    ├── PlanningError          an intent is unknown or its parameters are wrong
    └── ToolError              a call failed; carries exactly one ToolErrorCode
        ├── SecurityRefusal    the call was refused for security (never falls back)
        ├── FinalRefusal       refused for what the caller asked; a fallback would hide it
        └── CircuitOpen        the tool's breaker is open: circuit_open, not retried

Foreign exceptions (psycopg, httpx, ...) are mapped to a `ToolError` once, at the
tool's boundary, with `raise ToolError(...) from exc`.
"""

from __future__ import annotations

from .contracts import ToolErrorCode


class CapabilityError(ValueError):
    """A capability declaration or registration is invalid."""


class PlanningError(ValueError):
    """A request names an unknown intent or gives it unusable parameters."""


class ToolError(Exception):
    """A tool call failed in a way the orchestrator understands."""

    def __init__(self, code: ToolErrorCode, message: str = "") -> None:
        super().__init__(message or code.value)
        self.code = code
        self.message = message or code.value

    @property
    def is_security(self) -> bool:
        return self.code.is_security

    @property
    def may_fall_back(self) -> bool:
        """Whether a fallback may answer instead: never for a security refusal."""
        return not self.is_security


class SecurityRefusal(ToolError):
    """Tenant violation, missing authentication or an unsafe query."""

    def __init__(self, code: ToolErrorCode, message: str = "") -> None:
        if not code.is_security:
            raise ValueError(f"{code.value} is not a security error code")
        super().__init__(code, message)


class FinalRefusal(ToolError):
    """The caller asked for something no fallback may grant, e.g. an audit record under a
    request id the tenant already used: spooling it would acknowledge what is refused."""

    @property
    def may_fall_back(self) -> bool:
        return False


class CircuitOpen(ToolError):
    """The tool's circuit breaker is open; the call failed fast without reaching upstream."""

    def __init__(self, message: str) -> None:
        super().__init__(ToolErrorCode.CIRCUIT_OPEN, message)
