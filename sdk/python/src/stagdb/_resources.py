"""client.databases, .snapshots, .branches and .webhooks, sync and async: each method names
one `Call` from stagdb._calls and sends it; `list` methods walk every page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol, TypeVar

from stagdb import _calls
from stagdb._calls import Call
from stagdb.models import (
    Database,
    DatabaseStats,
    Delivery,
    LogLine,
    Operation,
    Page,
    SchemaDiff,
    Snapshot,
    Webhook,
)

T = TypeVar("T")
# Aliases: inside the classes below, `list` is the method's name.
LogLines = list[LogLine]
EventNames = list[str]


class Send(Protocol):
    def __call__(self, call: Call[T]) -> T: ...


class AsyncSend(Protocol):
    def __call__(self, call: Call[T]) -> Awaitable[T]: ...


def _every_page(send: Send, page_call: Callable[[int], Call[Page[T]]]) -> Iterator[T]:
    number = 1
    while True:
        page = send(page_call(number))
        yield from page.items
        if number >= page.pagination.pages:
            return
        number += 1


async def _every_page_async(
    send: AsyncSend, page_call: Callable[[int], Call[Page[T]]]
) -> AsyncIterator[T]:
    number = 1
    while True:
        page = await send(page_call(number))
        for item in page.items:
            yield item
        if number >= page.pagination.pages:
            return
        number += 1


class Databases:
    def __init__(self, send: Send) -> None:
        self._send = send

    def list(
        self, type: str | None = None, status: str | None = None, parent_id: str | None = None
    ) -> Iterator[Database]:
        return _every_page(self._send, lambda n: _calls.list_databases(n, type, status, parent_id))

    def get(self, id_or_name: str) -> Database:
        return self._send(_calls.get_database(id_or_name))

    def create(
        self,
        name: str,
        type: str,
        version: str | None = None,
        description: str | None = None,
        resources: Mapping[str, Any] | None = None,
        superuser: bool = False,
        source: Mapping[str, Any] | None = None,
    ) -> Database:
        """`superuser=True`: connect as the engine's superuser (recorded; branches inherit
        it) instead of a user that owns its database only. With `source` ({"uri": ...,
        "tables": [...], ...}) the database is filled from that server, and this answers once
        the data is in."""
        return self._send(
            _calls.create_database(name, type, version, description, resources, superuser, source)
        )

    def update(self, id_or_name: str, **fields: Any) -> Database:
        return self._send(_calls.update_database(id_or_name, fields))

    def delete(self, id_or_name: str, cascade: bool = False) -> None:
        self._send(_calls.delete_database(id_or_name, cascade))

    def start(self, id_or_name: str) -> Database:
        return self._send(_calls.database_action(id_or_name, "start"))

    def stop(self, id_or_name: str) -> Database:
        return self._send(_calls.database_action(id_or_name, "stop"))

    def reset(self, id_or_name: str, snapshot_id: str | None = None) -> Database:
        body = {"snapshot_id": snapshot_id} if snapshot_id else None
        return self._send(_calls.database_action(id_or_name, "reset", body))

    def promote(self, id_or_name: str, keep_branch: bool = False) -> Database:
        """Make a branch's data its parent's; answers the parent (same URI and password)."""
        body = {"keep_branch": True} if keep_branch else None
        return self._send(_calls.database_action(id_or_name, "promote", body))

    def schema_diff(self, id_or_name: str, against: str | None = None) -> SchemaDiff:
        """Against `parent` (the default), a snapshot id, or a database id or name."""
        return self._send(_calls.schema_diff(id_or_name, against))

    def refresh(self, id_or_name: str, source: Mapping[str, Any] | None = None) -> Database:
        """Fill an imported database again from its source; answers once the data is in."""
        return self._send(_calls.refresh_database(id_or_name, source))

    def stats(self, id_or_name: str) -> DatabaseStats:
        return self._send(_calls.database_stats(id_or_name))

    def logs(self, id_or_name: str, tail: int | None = None, since: str | None = None) -> LogLines:
        return self._send(_calls.database_logs(id_or_name, tail, since))


class AsyncDatabases:
    def __init__(self, send: AsyncSend) -> None:
        self._send = send

    def list(
        self, type: str | None = None, status: str | None = None, parent_id: str | None = None
    ) -> AsyncIterator[Database]:
        return _every_page_async(
            self._send, lambda n: _calls.list_databases(n, type, status, parent_id)
        )

    async def get(self, id_or_name: str) -> Database:
        return await self._send(_calls.get_database(id_or_name))

    async def create(
        self,
        name: str,
        type: str,
        version: str | None = None,
        description: str | None = None,
        resources: Mapping[str, Any] | None = None,
        superuser: bool = False,
        source: Mapping[str, Any] | None = None,
    ) -> Database:
        """`superuser=True`: connect as the engine's superuser (recorded; branches inherit
        it) instead of a user that owns its database only. With `source` ({"uri": ...,
        "tables": [...], ...}) the database is filled from that server, and this answers once
        the data is in."""
        return await self._send(
            _calls.create_database(name, type, version, description, resources, superuser, source)
        )

    async def update(self, id_or_name: str, **fields: Any) -> Database:
        return await self._send(_calls.update_database(id_or_name, fields))

    async def delete(self, id_or_name: str, cascade: bool = False) -> None:
        await self._send(_calls.delete_database(id_or_name, cascade))

    async def start(self, id_or_name: str) -> Database:
        return await self._send(_calls.database_action(id_or_name, "start"))

    async def stop(self, id_or_name: str) -> Database:
        return await self._send(_calls.database_action(id_or_name, "stop"))

    async def reset(self, id_or_name: str, snapshot_id: str | None = None) -> Database:
        body = {"snapshot_id": snapshot_id} if snapshot_id else None
        return await self._send(_calls.database_action(id_or_name, "reset", body))

    async def promote(self, id_or_name: str, keep_branch: bool = False) -> Database:
        """Make a branch's data its parent's; answers the parent (same URI and password)."""
        body = {"keep_branch": True} if keep_branch else None
        return await self._send(_calls.database_action(id_or_name, "promote", body))

    async def schema_diff(self, id_or_name: str, against: str | None = None) -> SchemaDiff:
        """Against `parent` (the default), a snapshot id, or a database id or name."""
        return await self._send(_calls.schema_diff(id_or_name, against))

    async def refresh(self, id_or_name: str, source: Mapping[str, Any] | None = None) -> Database:
        """Fill an imported database again from its source; answers once the data is in."""
        return await self._send(_calls.refresh_database(id_or_name, source))

    async def stats(self, id_or_name: str) -> DatabaseStats:
        return await self._send(_calls.database_stats(id_or_name))

    async def logs(
        self, id_or_name: str, tail: int | None = None, since: str | None = None
    ) -> LogLines:
        return await self._send(_calls.database_logs(id_or_name, tail, since))


class Snapshots:
    def __init__(self, send: Send) -> None:
        self._send = send

    def list(self, database: str) -> Iterator[Snapshot]:
        return _every_page(self._send, lambda n: _calls.list_snapshots(database, n))

    def get(self, id: str) -> Snapshot:
        return self._send(_calls.get_snapshot(id))

    def create(self, database: str, name: str, description: str | None = None) -> Snapshot:
        return self._send(_calls.create_snapshot(database, name, description))

    def delete(self, id: str, cascade: bool = False) -> None:
        self._send(_calls.delete_snapshot(id, cascade))


class AsyncSnapshots:
    def __init__(self, send: AsyncSend) -> None:
        self._send = send

    def list(self, database: str) -> AsyncIterator[Snapshot]:
        return _every_page_async(self._send, lambda n: _calls.list_snapshots(database, n))

    async def get(self, id: str) -> Snapshot:
        return await self._send(_calls.get_snapshot(id))

    async def create(self, database: str, name: str, description: str | None = None) -> Snapshot:
        return await self._send(_calls.create_snapshot(database, name, description))

    async def delete(self, id: str, cascade: bool = False) -> None:
        await self._send(_calls.delete_snapshot(id, cascade))


class Branches:
    def __init__(self, send: Send) -> None:
        self._send = send

    def list(self, database: str) -> Iterator[Database]:
        return _every_page(self._send, lambda n: _calls.list_branches(database, n))

    def create(
        self, database: str, name: str, description: str | None = None, mask: bool | None = None
    ) -> Database:
        """`mask=False` skips the parent's masking rules (recorded in the operation)."""
        return self._send(_calls.create_branch(database, name, description, mask))

    def create_from_snapshot(
        self, snapshot_id: str, name: str, description: str | None = None
    ) -> Database:
        return self._send(_calls.branch_snapshot(snapshot_id, name, description))


class AsyncBranches:
    def __init__(self, send: AsyncSend) -> None:
        self._send = send

    def list(self, database: str) -> AsyncIterator[Database]:
        return _every_page_async(self._send, lambda n: _calls.list_branches(database, n))

    async def create(
        self, database: str, name: str, description: str | None = None, mask: bool | None = None
    ) -> Database:
        """`mask=False` skips the parent's masking rules (recorded in the operation)."""
        return await self._send(_calls.create_branch(database, name, description, mask))

    async def create_from_snapshot(
        self, snapshot_id: str, name: str, description: str | None = None
    ) -> Database:
        return await self._send(_calls.branch_snapshot(snapshot_id, name, description))


class Webhooks:
    def __init__(self, send: Send) -> None:
        self._send = send

    def list(self) -> Iterator[Webhook]:
        return _every_page(self._send, _calls.list_webhooks)

    def get(self, id: str) -> Webhook:
        return self._send(_calls.get_webhook(id))

    def create(self, url: str, events: EventNames, secret: str | None = None) -> Webhook:
        """The answer's `secret` is shown this once (generated when `secret` is None)."""
        return self._send(_calls.create_webhook(url, events, secret))

    def update(self, id: str, **fields: Any) -> Webhook:
        return self._send(_calls.update_webhook(id, fields))

    def delete(self, id: str) -> None:
        self._send(_calls.delete_webhook(id))

    def test(self, id: str) -> Delivery:
        return self._send(_calls.send_test_delivery(id))

    def deliveries(self, id: str) -> Iterator[Delivery]:
        return _every_page(self._send, lambda n: _calls.list_deliveries(id, n))


class AsyncWebhooks:
    def __init__(self, send: AsyncSend) -> None:
        self._send = send

    def list(self) -> AsyncIterator[Webhook]:
        return _every_page_async(self._send, _calls.list_webhooks)

    async def get(self, id: str) -> Webhook:
        return await self._send(_calls.get_webhook(id))

    async def create(self, url: str, events: EventNames, secret: str | None = None) -> Webhook:
        """The answer's `secret` is shown this once (generated when `secret` is None)."""
        return await self._send(_calls.create_webhook(url, events, secret))

    async def update(self, id: str, **fields: Any) -> Webhook:
        return await self._send(_calls.update_webhook(id, fields))

    async def delete(self, id: str) -> None:
        await self._send(_calls.delete_webhook(id))

    async def test(self, id: str) -> Delivery:
        return await self._send(_calls.send_test_delivery(id))

    def deliveries(self, id: str) -> AsyncIterator[Delivery]:
        return _every_page_async(self._send, lambda n: _calls.list_deliveries(id, n))


class Operations:
    def __init__(self, send: Send) -> None:
        self._send = send

    def get(self, id: str) -> Operation:
        return self._send(_calls.get_operation(id))

    def list(self, database: str) -> Iterator[Operation]:
        """A database's operations, newest first."""
        return _every_page(self._send, lambda n: _calls.list_operations(database, n))


class AsyncOperations:
    def __init__(self, send: AsyncSend) -> None:
        self._send = send

    async def get(self, id: str) -> Operation:
        return await self._send(_calls.get_operation(id))

    def list(self, database: str) -> AsyncIterator[Operation]:
        """A database's operations, newest first."""
        return _every_page_async(self._send, lambda n: _calls.list_operations(database, n))
