"""One error body everywhere: ``{"ok": false, "error": str, "errors": list, "status": int}``.

ApiError            raised by handlers with a status and a message
 ├── BadRequest     400
 ├── NotFound       404
 └── Conflict       409
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("fazhi.api")


class ApiError(Exception):
    status = 500

    def __init__(self, message: str, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class BadRequest(ApiError):
    status = 400


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


def error_response(
    status: int, message: str, errors: list[Any] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"ok": False, "error": message, "errors": errors or [], "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]


def _summary(errors: list[dict[str, Any]]) -> str:
    """The 400's ``error``: what was wrong, the first problem spelled out (``query.limit: …``)."""
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(first["loc"]) or "request"
    more = f" (and {len(errors) - 1} more in errors)" if len(errors) > 1 else ""
    return f"invalid {where}: {first['msg'].removeprefix('Value error, ')}{more}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.status, exc.message, exc.errors, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        return error_response(400, _summary(errors), errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return error_response(500, "internal server error")
