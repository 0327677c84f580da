"""The connection front: owns each database's published port and joins every client to the
engine, which listens where only the front reaches it.

A client connection is joined to the engine at once when the engine accepts it; after that
the front only copies bytes (asyncio transports with flow control, no parsing). When the
engine refuses, the front holds the client (its first bytes wait in a buffer), asks `admit`
(which may start a stopped database, or raise `Unavailable`) and joins the two once the engine
accepts; a client held longer than `hold_s`, or one `admit` turns away, gets the engine's own
"not available" answer from its `Refusal`. The front counts open connections per database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.engines.refusals import Refusal

log = logging.getLogger(__name__)

CONNECT_RETRY_S = 0.05
MAX_HELD_BYTES = 1024 * 1024


class Unavailable(Exception):
    """The database cannot take connections now; the message is shown to the client."""


Admit = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    database_id: str
    engine_host: str
    engine_port: int
    refusal: Refusal


class _Backend(asyncio.Protocol):
    """The engine side of one joined connection: what the engine sends goes to the client
    (kept until the client is attached, for engines that speak first)."""

    def __init__(self) -> None:
        self.client: _Client | None = None
        self.transport: asyncio.Transport | None = None
        self.early = bytearray()
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def attach(self, client: _Client) -> None:
        self.client = client
        if self.early and client.transport is not None:
            client.transport.write(bytes(self.early))
        self.early.clear()
        if self.lost:
            client.close()

    def data_received(self, data: bytes) -> None:
        if self.client is None:
            self.early += data
        elif self.client.transport is not None:
            self.client.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.client is not None:
            self.client.close()

    def pause_writing(self) -> None:  # the engine is slow to read: stop reading the client
        if self.client is not None:
            self.client.pause_reading()

    def resume_writing(self) -> None:
        if self.client is not None:
            self.client.resume_reading()


class _Client(asyncio.Protocol):
    """The client side of one connection, from accept to close."""

    def __init__(self, front: ConnectionFront, route: Route) -> None:
        self.front = front
        self.route = route
        self.transport: asyncio.Transport | None = None
        self.backend: _Backend | None = None
        self.held = bytearray()
        self.refusing = False
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.front.opened(self.route.database_id)
        self.front.spawn(self._join())

    def data_received(self, data: bytes) -> None:
        if self.backend is not None and self.backend.transport is not None:
            self.backend.transport.write(data)
            return
        self.held += data
        if self.refusing:
            self._answer_refusal()
        elif len(self.held) > MAX_HELD_BYTES and self.transport is not None:
            self.transport.pause_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.front.closed(self.route.database_id)
        if self.backend is not None and self.backend.transport is not None:
            self.backend.transport.close()

    def pause_writing(self) -> None:  # the client is slow to read: stop reading the engine
        if self.backend is not None and self.backend.transport is not None:
            self.backend.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.backend is not None and self.backend.transport is not None:
            self.backend.transport.resume_reading()

    def pause_reading(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.close()

    async def _join(self) -> None:
        try:
            backend = await self.front.reach(self.route)
        except Unavailable as exc:
            self._refuse(str(exc))
            return
        if self.closed:
            if backend.transport is not None:
                backend.transport.close()
            return
        self.backend = backend
        if backend.transport is not None:
            backend.transport.write(bytes(self.held))
        self.held.clear()
        backend.attach(self)
        self.resume_reading()

    def _refuse(self, message: str) -> None:
        if self.transport is None or self.closed:
            return
        self.refusing = True
        self.refusal_message = message
        greeting = self.route.refusal.greeting(message)
        if greeting:
            self.transport.write(greeting)
        self.resume_reading()
        self._answer_refusal()

    def _answer_refusal(self) -> None:
        if self.transport is None:
            return
        reply, done, used = self.route.refusal.answer(bytes(self.held), self.refusal_message)
        del self.held[:used]
        if reply:
            self.transport.write(reply)
        if done:
            self.transport.close()


async def _turn_away(database_id: str) -> None:
    raise Unavailable("the database is not available")


class ConnectionFront:
    def __init__(self, bind_address: str, hold_s: float, admit: Admit = _turn_away) -> None:
        self.bind_address = bind_address
        self.admit = admit  # set by whoever decides which databases may be started
        self.hold_s = hold_s
        self.connections: Counter[str] = Counter()
        self._active_since_read: set[str] = set()
        self._servers: dict[int, tuple[Route, asyncio.Server]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def open(self, port: int, route: Route) -> None:
        """Serve `port` for `route` (again, when the route changed); idempotent."""
        current = self._servers.get(port)
        if current is not None and current[0] == route:
            return
        await self.close(port)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: _Client(self, route),
            host=_listen_host(self.bind_address),
            port=port,
            reuse_port=True,  # replicas on one host all serve it; the kernel spreads clients
        )
        self._servers[port] = (route, server)

    async def close(self, port: int, database_id: str | None = None) -> None:
        """Stop serving `port` (with `database_id`: only while it serves that database)."""
        entry = self._servers.get(port)
        if entry is None or database_id not in (None, entry[0].database_id):
            return
        del self._servers[port]
        entry[1].close()

    def ports(self) -> dict[int, str]:
        return {port: route.database_id for port, (route, _) in self._servers.items()}

    async def aclose(self) -> None:
        for port in list(self._servers):
            await self.close(port)
        for task in list(self._tasks):
            task.cancel()

    def opened(self, database_id: str) -> None:
        self.connections[database_id] += 1
        self._active_since_read.add(database_id)

    def closed(self, database_id: str) -> None:
        self.connections[database_id] -= 1
        if self.connections[database_id] <= 0:
            del self.connections[database_id]
        self._active_since_read.add(database_id)

    def active_since_last_read(self) -> set[str]:
        """Databases that had a client connection open at any moment since the last call."""
        active = self._active_since_read | {db for db, n in self.connections.items() if n > 0}
        self._active_since_read = set()
        return active

    def spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reach(self, route: Route) -> _Backend:
        """A connection to the engine: at once when it accepts, otherwise after `admit`,
        retrying until the hold time runs out."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + self.hold_s
        admitted = False
        while True:
            try:
                _, backend = await loop.create_connection(
                    _Backend, route.engine_host, route.engine_port
                )
                return backend
            except OSError:
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unavailable(
                    f"the database did not become available within {self.hold_s:.0f}s"
                )
            if not admitted:
                try:
                    await asyncio.wait_for(self.admit(route.database_id), remaining)
                except TimeoutError:
                    continue
                admitted = True
                continue
            await asyncio.sleep(CONNECT_RETRY_S)


def _listen_host(address: str) -> str | None:
    return None if address in ("", "*", "0.0.0.0", "::") else address
