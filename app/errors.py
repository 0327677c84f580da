"""The domain's exception tree; each error carries the public code the API renders.

StagError
├── ValidationError        VALIDATION_ERROR        (400)
├── UnauthorizedError      UNAUTHORIZED            (401)
├── ForbiddenError         FORBIDDEN               (403)
├── NotFoundError          NOT_FOUND               (404)
├── ResourceBusyError      RESOURCE_BUSY           (409)
├── RateLimitedError       RATE_LIMITED            (429)
├── InsufficientResources  INSUFFICIENT_RESOURCES  (507)
└── ServerError            SERVER_ERROR            (500, message never carries internals)
"""

from __future__ import annotations


class StagError(Exception):
    code = "SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(StagError):
    code = "VALIDATION_ERROR"


class UnauthorizedError(StagError):
    code = "UNAUTHORIZED"


class ForbiddenError(StagError):
    code = "FORBIDDEN"


class NotFoundError(StagError):
    code = "NOT_FOUND"


class ResourceBusyError(StagError):
    code = "RESOURCE_BUSY"


class RateLimitedError(StagError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class InsufficientResources(StagError):
    code = "INSUFFICIENT_RESOURCES"


class ServerError(StagError):
    code = "SERVER_ERROR"
