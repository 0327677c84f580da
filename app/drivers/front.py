"""The connection front: owns each database's published port and joins every client to the
engine, which listens where only the front reaches it.

A client connection is joined to the engine at once when the engine accepts it; after that
the front only copies bytes, in a pump off the event loop (app/drivers/pump.py: splice(2)
threads, no parsing). When the
engine refuses, the front holds the client (its first bytes wait in a buffer), asks `admit`
(which may start a stopped database, or raise `Unavailable`) and joins the two once the engine
accepts; a client held longer than `hold_s`, or one `admit` turns away, gets the engine's own
"not available" answer from its `Refusal`. The front counts open connections per database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.drivers.pump import Pump
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


class _Client(asyncio.Protocol):
    """The client side of one connection, from accept until it is joined to the engine (and
    handed to a pump) or turned away."""

    def __init__(self, front: ConnectionFront, route: Route) -> None:
        self.front = front
        self.route = route
        self.transport: asyncio.Transport | None = None
        self.held = bytearray()
        self.refusing = False
        self.closed = False
        self.handed_off = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.front.opened(self.route.database_id)
        self.front.spawn(self._join())

    def data_received(self, data: bytes) -> None:
        self.held += data
        if self.refusing:
            self._answer_refusal()
        elif len(self.held) > MAX_HELD_BYTES and self.transport is not None:
            self.transport.pause_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.handed_off:  # a pump counts the connection from then on
            self.front.closed(self.route.database_id)

    async def _join(self) -> None:
        try:
            engine = await self.front.reach(self.route)
        except Unavailable as exc:
            self._refuse(str(exc))
            return
        if self.closed or self.transport is None:
            engine.close()
            return
        self.front.hand_off(self, engine)

    def _refuse(self, message: str) -> None:
        if self.transport is None or self.closed:
            return
        self.refusing = True
        self.refusal_message = message
        greeting = self.route.refusal.greeting(message)
        if greeting:
            self.transport.write(greeting)
        self.transport.resume_reading()
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
        self._pumps: set[Pump] = set()

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

    async def close(self, port: int) -> None:
        entry = self._servers.pop(port, None)
        if entry is not None:
            entry[1].close()

    def ports(self) -> dict[int, str]:
        return {port: route.database_id for port, (route, _) in self._servers.items()}

    async def aclose(self) -> None:
        for port in list(self._servers):
            await self.close(port)
        for task in list(self._tasks):
            task.cancel()
        for pump in list(self._pumps):
            pump.stop()

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

    def hand_off(self, client: _Client, engine: socket.socket) -> None:
        """Give a joined connection to a pump: the client's socket leaves the event loop
        (a duplicate of it goes to the pump, the loop's own is closed), and what the client
        sent while it was held goes to the engine first."""
        transport = client.transport
        assert transport is not None
        duplicate = os.dup(transport.get_extra_info("socket").fileno())
        client_socket = socket.socket(fileno=duplicate)
        client_socket.setblocking(True)
        client.handed_off = True
        transport.pause_reading()
        transport.close()
        loop = asyncio.get_running_loop()
        database_id = client.route.database_id

        def done() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: the server stopped
                loop.call_soon_threadsafe(self._pump_done, pump, database_id)

        pump = Pump(client_socket, engine, done, first=bytes(client.held))
        client.held.clear()
        self._pumps.add(pump)
        pump.start(f"front-{database_id}")

    def _pump_done(self, pump: Pump, database_id: str) -> None:
        self._pumps.discard(pump)
        self.closed(database_id)

    def spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reach(self, route: Route) -> socket.socket:
        """A connection to the engine: at once when it accepts, otherwise after `admit`,
        retrying until the hold time runs out."""
        deadline = time.monotonic() + self.hold_s
        admitted = False
        while True:
            try:
                return await _connect(route.engine_host, route.engine_port)
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


async def _connect(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    engine = socket.socket(family, socket.SOCK_STREAM)
    engine.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(engine, (host, port))
    except BaseException:
        engine.close()
        raise
    engine.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    engine.setblocking(True)
    return engine


def _listen_host(address: str) -> str | None:
    return None if address in ("", "*", "0.0.0.0", "::") else address
