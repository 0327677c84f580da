"""stagdb.Client: the synchronous client."""

from __future__ import annotations

import time
from types import TracebackType
from typing import TypeVar

import httpx

from stagdb import _calls
from stagdb._base import (
    DEFAULT_TIMEOUT_S,
    ClientSettings,
    connection_error,
    is_replayed,
    read_answer,
    request_headers,
)
from stagdb._calls import Call
from stagdb._resources import Branches, Databases, Operations, Snapshots, Webhooks
from stagdb._retry import DEFAULT_MAX_RETRIES
from stagdb.errors import StagDBError
from stagdb.models import Health

T = TypeVar("T")


class Client:
    """A StagDB API client. Without arguments it reads STAGDB_URL and STAGDB_API_KEY.

    `base_url` is the server's address, with or without `/v1`. Calls that fail with
    RATE_LIMITED, RESOURCE_BUSY or a connection failure are retried up to `max_retries`
    times with jittered exponential back-off."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT_S,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = ClientSettings(base_url, api_key, timeout, max_retries)
        self._http = httpx.Client(
            base_url=self._settings.base_url,
            headers=self._settings.headers(),
            timeout=timeout,
            transport=transport,
        )
        self.databases = Databases(self._send)
        self.snapshots = Snapshots(self._send)
        self.branches = Branches(self._send)
        self.webhooks = Webhooks(self._send)
        self.operations = Operations(self._send)

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    def health(self) -> Health:
        return self._send(_calls.health())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, call: Call[T]) -> T:
        headers = request_headers(call)
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                response = self._http.request(
                    call.method, call.path, params=call.params, json=call.json, headers=headers
                )
                return read_answer(call, response)
            except httpx.TransportError as exc:
                error: StagDBError = connection_error(call, exc)
                cause: Exception = exc
            except StagDBError as exc:
                error, cause = exc, exc
            wait = self._settings.retry.delay(error, attempt, is_replayed(response))
            if wait is None:
                if error is cause:
                    raise error
                raise error from cause
            time.sleep(wait)
            attempt += 1
