"""Open GraphQL WebSocket sessions by API key, so that revoking a key (or its expiry, or a
revocation made on another replica) ends its sessions: they are closed at once on this
replica and, everywhere, at the next check of every open session's key."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.websockets import WebSocket

log = logging.getLogger(__name__)
REVOKED_CLOSE_CODE = 4403  # graphql-transport-ws leaves 4400–4499 to the server
CHECK_EVERY_S = 5.0


class OpenSessions:
    def __init__(self) -> None:
        self._by_key: dict[str, weakref.WeakSet[WebSocket]] = {}

    def add(self, key_id: str, websocket: WebSocket) -> None:
        self._by_key.setdefault(key_id, weakref.WeakSet()).add(websocket)

    async def close_for(self, key_id: str) -> int:
        sockets = list(self._by_key.pop(key_id, ()))
        for websocket in sockets:
            with contextlib.suppress(Exception):  # already gone: nothing to close
                await websocket.close(REVOKED_CLOSE_CODE, "API key revoked")
        return len(sockets)

    async def check(self, still_valid: Callable[[str], Awaitable[bool]]) -> None:
        for key_id in [key for key, sockets in self._by_key.items() if sockets]:
            if not await still_valid(key_id):
                await self.close_for(key_id)
        for key_id in [key for key, sockets in self._by_key.items() if not sockets]:
            self._by_key.pop(key_id, None)

    @contextlib.asynccontextmanager
    async def watching(
        self, still_valid: Callable[[str], Awaitable[bool]], every_s: float = CHECK_EVERY_S
    ) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.sleep(every_s)
                try:
                    await self.check(still_valid)
                except Exception:
                    log.exception("checking the keys of open GraphQL sessions failed")

        task = asyncio.create_task(loop(), name="graphql-session-keys")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
