"""The seed's JSON envelope, and the one place errors are rendered to the wire."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.domain.pagination import Page
from app.errors import RateLimitedError, StagError

log = logging.getLogger(__name__)

STATUS_BY_CODE = {
    "VALIDATION_ERROR": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "RESOURCE_BUSY": 409,
    "RATE_LIMITED": 429,
    "INSUFFICIENT_RESOURCES": 507,
    "SERVER_ERROR": 500,
}
INTERNAL_MESSAGE = "An unexpected error occurred; it has been logged"


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(f"cannot serialise {type(value).__name__}")


class EnvelopeResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_default, separators=(",", ":")).encode()


def ok(data: object, message: str, status_code: int = 200) -> Response:
    return EnvelopeResponse({"success": True, "data": data, "message": message}, status_code)


def ok_page(page: Page[Any], items: list[object], message: str) -> Response:
    return EnvelopeResponse(
        {
            "success": True,
            "data": items,
            "pagination": {
                "page": page.request.page,
                "limit": page.request.limit,
                "total": page.total,
                "pages": page.total_pages,
            },
            "message": message,
        }
    )


def error(code: str, message: str, status_code: int | None = None) -> Response:
    return EnvelopeResponse(
        {"success": False, "error": {"code": code, "message": message}},
        status_code or STATUS_BY_CODE.get(code, 500),
    )


async def stag_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StagError)
    if exc.code == "SERVER_ERROR":
        log.error("operation failed: %s", exc.message, exc_info=exc.__cause__)
    response = error(exc.code, exc.message)
    if isinstance(exc, RateLimitedError):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error("NOT_FOUND", f"No route for {request.method} {request.url.path}")
    if exc.status_code == 405:
        response = error("VALIDATION_ERROR", f"Method {request.method} is not allowed here", 405)
        response.headers.update(exc.headers or {})
        return response
    return error(
        "SERVER_ERROR" if exc.status_code >= 500 else "VALIDATION_ERROR",
        str(exc.detail),
        exc.status_code,
    )


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error("SERVER_ERROR", INTERNAL_MESSAGE)


EXCEPTION_HANDLERS = {
    StagError: stag_error_handler,
    HTTPException: http_error_handler,
    Exception: unexpected_error_handler,
}
