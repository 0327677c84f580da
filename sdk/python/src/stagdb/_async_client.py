"""stagdb.AsyncClient: the asyncio client, with the same surface as stagdb.Client."""

from __future__ import annotations

import asyncio
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
from stagdb._resources import (
    AsyncBranches,
    AsyncDatabases,
    AsyncOperations,
    AsyncSnapshots,
    AsyncWebhooks,
)
from stagdb._retry import DEFAULT_MAX_RETRIES
from stagdb.errors import StagDBError
from stagdb.models import Health

T = TypeVar("T")


class AsyncClient:
    """An asyncio StagDB API client. Without arguments it reads STAGDB_URL and STAGDB_API_KEY.

    `base_url` is the server's address, with or without `/v1`. Calls that fail with
    RATE_LIMITED, RESOURCE_BUSY or a connection failure are retried up to `max_retries`
    times with jittered exponential back-off."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT_S,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = ClientSettings(base_url, api_key, timeout, max_retries)
        self._http = httpx.AsyncClient(
            base_url=self._settings.base_url,
            headers=self._settings.headers(),
            timeout=timeout,
            transport=transport,
        )
        self.databases = AsyncDatabases(self._send)
        self.snapshots = AsyncSnapshots(self._send)
        self.branches = AsyncBranches(self._send)
        self.webhooks = AsyncWebhooks(self._send)
        self.operations = AsyncOperations(self._send)

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    async def health(self) -> Health:
        return await self._send(_calls.health())

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, call: Call[T]) -> T:
        headers = request_headers(call)
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                response = await self._http.request(
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
            await asyncio.sleep(wait)
            attempt += 1
