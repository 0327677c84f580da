"""The command line's exit status for each kind of failure (documented in README)."""

from __future__ import annotations

OK = 0
FAILURE = 1  # anything else: a client program that is missing, a server command not installed
USAGE = 2  # wrong options or arguments (click's own)
BY_CODE = {
    "VALIDATION_ERROR": 3,
    "NOT_FOUND": 4,
    "UNAUTHORIZED": 5,
    "RESOURCE_BUSY": 6,
    "RATE_LIMITED": 7,
    "INSUFFICIENT_RESOURCES": 8,
    "SERVER_ERROR": 9,
    "CONNECTION_ERROR": 10,
}


def for_error_code(code: str) -> int:
    return BY_CODE.get(code, FAILURE)
