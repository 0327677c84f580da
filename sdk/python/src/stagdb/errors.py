"""The SDK's exception tree: one class per error code the API documents.

StagDBError                      code, message, status, request_id
├── ValidationError              VALIDATION_ERROR        (400, 413)
├── UnauthorizedError            UNAUTHORIZED            (401)
├── NotFoundError                NOT_FOUND               (404)
├── ResourceBusyError            RESOURCE_BUSY           (409)
├── RateLimitedError             RATE_LIMITED            (429, with retry_after)
├── InsufficientResourcesError   INSUFFICIENT_RESOURCES  (507, 503)
├── ServerError                  SERVER_ERROR            (500, or any answer that is not ours)
└── ConnectionError              CONNECTION_ERROR        (no answer: the server was not reached)
"""

from __future__ import annotations

from typing import Any

import httpx


class StagDBError(Exception):
    code = "SERVER_ERROR"

    def __init__(
        self, message: str, *, status: int | None = None, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ValidationError(StagDBError):
    code = "VALIDATION_ERROR"


class UnauthorizedError(StagDBError):
    code = "UNAUTHORIZED"


class NotFoundError(StagDBError):
    code = "NOT_FOUND"


class ResourceBusyError(StagDBError):
    code = "RESOURCE_BUSY"


class RateLimitedError(StagDBError):
    code = "RATE_LIMITED"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id)
        self.retry_after = retry_after


class InsufficientResourcesError(StagDBError):
    code = "INSUFFICIENT_RESOURCES"


class ServerError(StagDBError):
    code = "SERVER_ERROR"


class ConnectionError(StagDBError):  # stagdb.ConnectionError, as httpx.ConnectError is httpx's
    code = "CONNECTION_ERROR"


ERRORS_BY_CODE: dict[str, type[StagDBError]] = {
    cls.code: cls
    for cls in (
        ValidationError,
        UnauthorizedError,
        NotFoundError,
        ResourceBusyError,
        RateLimitedError,
        InsufficientResourcesError,
        ServerError,
    )
}


def error_from_response(response: httpx.Response, body: Any) -> StagDBError:
    """The error an answer in the API's error envelope (or any other failed answer) means."""
    request_id = response.headers.get("x-request-id")
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        code, message = error["code"], str(error.get("message", ""))
    else:
        code = "SERVER_ERROR"
        message = f"HTTP {response.status_code} without a StagDB error body"
    cls = ERRORS_BY_CODE.get(code, ServerError)
    if cls is RateLimitedError:
        return RateLimitedError(
            message,
            status=response.status_code,
            request_id=request_id,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    return cls(message, status=response.status_code, request_id=request_id)


def parse_retry_after(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None
