"""Each database's door: the connection front owns every published port; while a database
runs, the kernel forwards the connections made on this host straight to its engine (when
nftables can be used), and the front keeps the rest: clients from elsewhere, and those that
find the database stopped (which it holds, wakes or answers).

The rules:
- A port is forwarded only while its database is running (in the metadata) and no work of
  this process has taken it back.
- Stopping, removing or (re)starting a container takes the port back first, so a client that
  arrives meanwhile meets the front; the next check hands it over again once the database runs.
- Client connections and activity count both paths: the front's own count, and for forwarded
  connections the kernel's (its new-connection counter and the socket table).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from app.drivers.forwarding import Forward, ForwardingUnavailable, KernelForwarding
from app.drivers.front import ConnectionFront
from app.drivers.socket_table import forwarded_clients

log = logging.getLogger(__name__)

KERNEL = "kernel"
FRONT = "front"
SOCKET_TABLE_EVERY_S = 5.0  # open forwarded connections only keep last_active_at fresh
TABLE_EVERY_S = 5.0  # the kernel's table is read this often; changes are made at once
# Of the databases given, those whose port the kernel may be handed now (see `reconcile`).
Forwardable = Callable[[set[str]], Awaitable[set[str]]]


class Doors:
    def __init__(
        self,
        front: ConnectionFront,
        forwarding: KernelForwarding | None,
        engine_port: Callable[[int], int],
    ) -> None:
        self.front = front
        self.forwarding = forwarding
        self.engine_port = engine_port
        self.open_connections: Counter[str] = Counter()  # as of the last activity reading
        self._held: set[str] = set()
        self._forwarded: set[int] = set()
        self._counted: dict[int, int] = {}  # the kernel's connection counter, per port
        self._kernel_active: set[str] = set()  # new forwarded connections seen by `reconcile`
        self._kernel_open: Counter[str] = Counter()  # the socket table's, as last read
        self._next_socket_read = 0.0
        self._next_kernel_read = 0.0
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Get kernel forwarding ready; without it every connection goes through the front."""
        if self.forwarding is None:
            return
        try:
            await asyncio.to_thread(self.forwarding.prepare)
        except ForwardingUnavailable as exc:
            log.warning("kernel forwarding is unavailable (%s): connections go through the "
                        "connection front", exc)  # fmt: skip
            self.forwarding = None

    async def close(self) -> None:
        if self.forwarding is None:
            return
        async with self._lock:
            await self._nft(self.forwarding.remove)
            self._forwarded.clear()

    def path_of(self, database_id: str) -> str:
        """How new connections to the database are carried now."""
        port = self._port_of(database_id)
        return KERNEL if port is not None and port in self._forwarded else FRONT

    async def hold(self, database_id: str) -> None:
        """Take the database's port back from the kernel until `release` (or until the
        database is no longer running)."""
        async with self._lock:
            self._held.add(database_id)
            port = self._port_of(database_id)
            if self.forwarding is not None and port is not None:
                await self._withdraw(port)

    def release(self, database_id: str) -> None:
        self._held.discard(database_id)

    async def withdraw_port(self, port: int) -> None:
        if self.forwarding is None:
            return
        async with self._lock:
            await self._withdraw(port)

    async def quiet(self, database_id: str) -> bool:
        """Whether no client used the database since the kernel's table was last read and
        none is connected once its port is taken back; the port stays held when quiet (the
        caller stops the database) and is released otherwise."""
        if self.forwarding is not None:
            async with self._lock:
                await self._read_table()
            if database_id in self._kernel_active:
                return False
        await self.hold(database_id)
        if (await self.clients())[database_id] == 0:
            return True
        self.release(database_id)
        return False

    async def reconcile(self, running: set[str], forwardable: Forwardable) -> None:
        """Forward the served port of every running database not held back, and no other.
        The kernel's table is read every TABLE_EVERY_S (it also tells which ports had new
        forwarded connections); in between, what this process last knew of it is used.

        The table is the install's, shared by the replicas on this host, and another replica
        takes a port back while its operation (a stop, a start) holds the database's lock.
        So a port is handed to the kernel only if `forwardable` says its database is running
        and no operation holds it, asked just before and once more just after: an operation
        that began in between has taken the port back after that, or is seen and undone."""
        if self.forwarding is None:
            return
        async with self._lock:
            self._held &= running
            if time.monotonic() >= self._next_kernel_read and not await self._read_table():
                return
            served = self.front.ports()

            def wanted(database_id: str | None) -> bool:
                return database_id in running and database_id not in self._held

            await self._withdraw_all(
                [port for port in self._forwarded if not wanted(served.get(port))]
            )
            missing = {
                port: database_id
                for port, database_id in served.items()
                if wanted(database_id) and port not in self._forwarded
            }
            if not missing:
                return
            settled = await forwardable(set(missing.values()))
            added = [port for port, database_id in missing.items() if database_id in settled]
            await self._forward_all(added)
            if added:
                still = await forwardable({missing[port] for port in added})
                await self._withdraw_all([port for port in added if missing[port] not in still])

    async def _read_table(self) -> bool:
        """Read the kernel's table (under the lock): what is forwarded, and which databases
        had new forwarded connections since the last reading."""
        assert self.forwarding is not None
        forwards = await self._nft(self.forwarding.forwards)
        if forwards is None:
            return False
        self._next_kernel_read = time.monotonic() + TABLE_EVERY_S
        self._forwarded = set(forwards)
        served = self.front.ports()
        for port, forward in forwards.items():
            if forward.connections > self._counted.get(port, 0) and port in served:
                self._kernel_active.add(served[port])
        self._counted = {port: forward.connections for port, forward in forwards.items()}
        return True

    async def clients(self) -> Counter[str]:
        """Client connections open now, per database, through the front or the kernel."""
        return Counter(self.front.connections) + await self._kernel_clients()

    async def active_since_last_read(self) -> set[str]:
        """Databases that had a client connection at any moment since the last call: the
        front's, those with new forwarded connections (at the last `reconcile`), and those with
        forwarded connections open (the socket table, read every SOCKET_TABLE_EVERY_S); also
        refreshes `open_connections`. Before an idle stop, `quiet` counts afresh."""
        active = self.front.active_since_last_read() | self._kernel_active
        self._kernel_active = set()
        now = time.monotonic()
        if not self._forwarded:
            self._kernel_open = Counter()
        elif now >= self._next_socket_read:
            self._next_socket_read = now + SOCKET_TABLE_EVERY_S
            self._kernel_open = await self._kernel_clients()
        self.open_connections = +(Counter(self.front.connections) + self._kernel_open)
        return active | set(self.open_connections)

    async def _kernel_clients(self) -> Counter[str]:
        if self.forwarding is None:
            return Counter()
        served = self.front.ports()
        kernel = await asyncio.to_thread(
            forwarded_clients, {self.engine_port(port): port for port in served}
        )
        return Counter({served[port]: number for port, number in kernel.items()})

    def _port_of(self, database_id: str) -> int | None:
        return next((p for p, d in self.front.ports().items() if d == database_id), None)

    async def _forward_all(self, ports: list[int]) -> None:
        assert self.forwarding is not None
        if not ports:
            return
        engine_ports = {port: self.engine_port(port) for port in ports}
        if await self._nft(self.forwarding.forward_all, engine_ports) is not None:
            self._forwarded.update(ports)
            self._counted.update(dict.fromkeys(ports, 0))

    async def _withdraw_all(self, ports: list[int]) -> None:
        assert self.forwarding is not None
        if not ports:
            return
        await self._nft(self.forwarding.withdraw_all, ports)
        self._forwarded.difference_update(ports)

    async def _withdraw(self, port: int) -> None:
        assert self.forwarding is not None
        await self._nft(self.forwarding.withdraw, port)
        self._forwarded.discard(port)

    async def _nft(self, call: Callable[..., object], *args: object) -> dict[int, Forward] | None:
        """Run one nftables change or reading; a failure is logged (the front still serves
        the port) and answers None."""
        try:
            result = await asyncio.to_thread(call, *args)
        except ForwardingUnavailable as exc:
            log.error("kernel forwarding: %s failed: %s", call.__name__, exc)
            return None
        return result if isinstance(result, dict) else {}
