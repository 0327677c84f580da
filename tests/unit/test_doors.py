"""Doors of two replicas on one host: they share the install's kernel table, and neither hands
the kernel a port the other took back for an operation (found in CI: a stopped database's
client was refused because the other replica had forwarded its port to the engine again)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest

from app.domain import doors
from app.domain.doors import Doors
from app.drivers.forwarding import Forward, KernelForwarding
from app.drivers.front import ConnectionFront

PORT = 15001
DATABASE = "db-sleepy"


class SharedTable:
    """The install's nftables map, published port → engine port, as both replicas see it."""

    def __init__(self) -> None:
        self.map: dict[int, int] = {}

    def prepare(self) -> None:
        pass

    def forwards(self) -> dict[int, Forward]:
        return {port: Forward(engine_port, 0) for port, engine_port in self.map.items()}

    def forward_all(self, engine_ports: dict[int, int]) -> None:
        self.map.update(engine_ports)

    def withdraw_all(self, ports: list[int]) -> None:
        for port in ports:
            self.map.pop(port, None)

    def withdraw(self, port: int) -> None:
        self.map.pop(port, None)


class ServingFront:
    """A front serving the database's port, with no clients."""

    connections: Counter[str] = Counter()

    def ports(self) -> dict[int, str]:
        return {PORT: DATABASE}


def replica(table: SharedTable) -> Doors:
    return Doors(
        cast(ConnectionFront, ServingFront()),
        cast(KernelForwarding, table),
        lambda port: port + 10000,
    )


class Metadata:
    """The database's row as the replicas read it: running, and whether an operation holds it."""

    def __init__(self) -> None:
        self.locked = False
        self.before_answer: Callable[[], Awaitable[Any]] | None = None

    async def forwardable(self, database_ids: set[str]) -> set[str]:
        answer = set() if self.locked else set(database_ids)
        if self.before_answer is not None:  # read; then, before the caller acts, this happens
            happening, self.before_answer = self.before_answer, None
            await happening()
        return answer


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 20))


@pytest.fixture(autouse=True)
def read_the_table_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doors, "TABLE_EVERY_S", 0.0)


def test_a_port_another_replica_took_back_for_a_stop_is_not_forwarded_again() -> None:
    async def main() -> None:
        table, metadata = SharedTable(), Metadata()
        first, second = replica(table), replica(table)
        await first.reconcile({DATABASE}, metadata.forwardable)
        assert table.map == {PORT: PORT + 10000}

        metadata.locked = True  # the second replica's idle stop takes the lock, then the port
        assert await second.quiet(DATABASE)
        assert table.map == {}
        # The first replica read the database as running before the stop wrote its status.
        await first.reconcile({DATABASE}, metadata.forwardable)
        assert table.map == {}, "a client would be sent to the stopping engine"

        metadata.locked = False  # started again by someone, the lock released
        second.release(DATABASE)
        await first.reconcile({DATABASE}, metadata.forwardable)
        assert table.map == {PORT: PORT + 10000}

    run(main)


def test_a_stop_that_begins_while_a_replica_hands_the_port_over_is_undone() -> None:
    async def main() -> None:
        table, metadata = SharedTable(), Metadata()
        first, second = replica(table), replica(table)

        async def second_stops_it() -> None:
            metadata.locked = True
            await second.hold(DATABASE)

        # The first replica finds the database free, then the second takes it and its port
        # back, and only then does the first hand the port to the kernel.
        metadata.before_answer = second_stops_it
        await first.reconcile({DATABASE}, metadata.forwardable)
        assert table.map == {}, "the port handed over after the stop took it back"

    run(main)
