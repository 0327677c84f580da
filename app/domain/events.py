"""Lifecycle events: written to the outbox (the `events` table) in the same transaction as
the change that caused them, then published to in-process watchers once committed.
Webhook delivery reads the outbox; GraphQL subscriptions watch the in-process bus."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app.models import DEFAULT_PROJECT_ID, Event

SUBSCRIBER_BUFFER = 100
EVENT_NAMES = (
    "database.created",
    "database.updated",
    "database.deleted",
    "database.started",
    "database.stopped",
    "database.failed",
    "database.recovered",
    "database.expired",
    "database.refreshed",
    "snapshot.created",
    "snapshot.deleted",
    "branch.created",
    "branch.deleted",
    "branch.reset",
    "branch.promoted",
    "operation.succeeded",
    "operation.failed",
)


@dataclass(frozen=True)
class DatabaseEvent:
    event: str
    database_id: str
    name: str
    type: str
    status: str | None
    parent_id: str | None = None
    snapshot_id: str | None = None
    reason: str | None = None  # why it happened, for failures and recoveries
    scheduled: bool | None = None  # snapshot events: taken by a snapshot schedule
    operation_id: str | None = None  # operation events: which one, and of what kind
    operation_kind: str | None = None
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    project_id: str = field(default=DEFAULT_PROJECT_ID, compare=False)  # who may see it

    def payload(self) -> dict[str, object]:
        """The webhook body, as the seed documents it."""
        data: dict[str, object] = {
            "database_id": self.database_id,
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "parent_id": self.parent_id,
            "snapshot_id": self.snapshot_id,
        }
        if self.reason is not None:
            data["reason"] = self.reason
        if self.scheduled is not None:
            data["scheduled"] = self.scheduled
        if self.operation_id is not None:
            data["operation"] = {"id": self.operation_id, "kind": self.operation_kind}
        return {
            "event": self.event,
            "timestamp": self.timestamp.isoformat().replace("+00:00", "Z"),
            "data": data,
        }


class EventBus:
    """In-process fan-out to watchers of a database (events of its branches included)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[DatabaseEvent]]] = {}

    def publish(self, event: DatabaseEvent) -> None:
        for subject in filter(None, {event.database_id, event.parent_id}):
            for queue in self._subscribers.get(subject, ()):
                if queue.full():
                    queue.get_nowait()  # a slow watcher loses its oldest event, never blocks us
                queue.put_nowait(event)

    async def watch(self, database_id: str) -> AsyncIterator[DatabaseEvent]:
        queue: asyncio.Queue[DatabaseEvent] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self._subscribers.setdefault(database_id, set()).add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            watchers = self._subscribers.get(database_id, set())
            watchers.discard(queue)
            if not watchers:
                self._subscribers.pop(database_id, None)


@dataclass
class Change:
    """One unit of work: writes through `connection`, plus the events it announces."""

    connection: BaseDBAsyncClient
    events: list[DatabaseEvent] = field(default_factory=list)

    def announce(self, event: DatabaseEvent) -> None:
        self.events.append(event)


class EventLog:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    @asynccontextmanager
    async def change(self) -> AsyncIterator[Change]:
        """Commit the caller's writes and their outbox rows together, then tell watchers."""
        async with in_transaction() as connection:
            change = Change(connection)
            yield change
            for event in change.events:
                await Event.create(
                    event=event.event,
                    project_id=event.project_id,
                    database_id=event.database_id,
                    payload=event.payload(),
                    using_db=connection,
                )
        for event in change.events:
            self.bus.publish(event)
