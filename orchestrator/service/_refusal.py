"""A request the service will not orchestrate, answered as `{"error": message}`."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse


class ServiceRefusal(Exception):
    """Raised by a handler or dependency; becomes an HTTP error with a one-line message."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


async def refusal_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceRefusal)
    return JSONResponse({"error": exc.message}, status_code=exc.status_code)
