"""What the sync and async clients share: settings, headers, and reading an answer into a
result or the error it means (the one place httpx's answers and failures are translated)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import httpx

from stagdb import __version__
from stagdb._calls import Call
from stagdb._config import api_base_url, api_key
from stagdb._retry import RetryPolicy
from stagdb.errors import ConnectionError, StagDBError, error_from_response

T = TypeVar("T")
DEFAULT_TIMEOUT_S = 300.0  # creating, branching and resetting wait for the database to run
REPLAYED_HEADER = "idempotent-replayed"


class ClientSettings:
    def __init__(
        self,
        base_url: str | None,
        api_key_: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
    ) -> None:
        self.base_url = api_base_url(base_url)
        self.api_key = api_key(api_key_)
        self.timeout = timeout
        self.retry = RetryPolicy(max_retries=max_retries)

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": f"stagdb-python/{__version__}", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers


def request_headers(call: Call[Any]) -> dict[str, str]:
    """Per-call headers: every POST carries a fresh Idempotency-Key, kept for its retries."""
    return {"Idempotency-Key": str(uuid.uuid4())} if call.method == "POST" else {}


def read_answer(call: Call[T], response: httpx.Response) -> T:
    """The call's result, or raise the error the answer means."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if (response.is_success or response.status_code in call.also_ok) and isinstance(body, dict):
        return call.read(body)
    raise error_from_response(response, body)


def is_replayed(response: httpx.Response | None) -> bool:
    return response is not None and response.headers.get(REPLAYED_HEADER) == "true"


def connection_error(call: Call[Any], exc: httpx.TransportError) -> StagDBError:
    return ConnectionError(f"{call.method} {call.path}: {type(exc).__name__}: {exc}")
