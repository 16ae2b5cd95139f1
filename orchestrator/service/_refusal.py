"""Every error the service answers has one body shape: `ErrorBody`.

    {"error": "one line saying what was wrong", "fields": [{"loc": [...], "message": "..."}]}

`fields` names each offending field of a request that failed validation (422), and is
empty otherwise. Nothing a caller sent is echoed back raw: a NaN, an Infinity or a lone
surrogate in a field cannot be written as JSON, and used to turn a 422 into a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="Where in the request, e.g. ['body', 'tenant_id'].")
    message: str = Field(description="What was expected there.")


class ErrorBody(BaseModel):
    """The body of every non-2xx answer."""

    error: str = Field(description="One line saying what was wrong.")
    fields: list[FieldProblem] = Field(
        default_factory=list, description="For 422: each invalid field and what it expected."
    )


class ServiceRefusal(Exception):
    """Raised by a handler or dependency; becomes an HTTP error with a one-line message."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def error_response(
    status_code: int,
    message: str,
    fields: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=_printable(message), fields=fields or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


async def refusal_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceRefusal)
    return error_response(exc.status_code, exc.message)


async def validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [_field_problem(error) for error in exc.errors()]
    summary = "; ".join(f"{'.'.join(map(str, f.loc))}: {f.message}" for f in fields[:5])
    return error_response(422, f"invalid request: {summary}", fields)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Routing errors (404, 405, ...) in the same shape as the service's own."""
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


def _field_problem(error: dict[str, Any]) -> FieldProblem:
    loc = [part if isinstance(part, int) else _printable(str(part)) for part in error["loc"]]
    return FieldProblem(loc=loc, message=_printable(str(error.get("msg", "invalid"))))


def _printable(text: str) -> str:
    """`text` as valid UTF-8 on one line: lone surrogates become `\\udXXX` escapes."""
    one_line = " ".join(text.split())
    return one_line.encode("utf-8", "backslashreplace").decode("utf-8")
